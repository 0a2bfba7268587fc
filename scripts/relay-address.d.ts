export const DEFAULT_TRUSTED_PROXIES: readonly string[];
/** An IPv4 address, or an IPv6 /64 ("2001:db8:0:1::/64"). */
export function addressKey(address: string): string;
/** The address a connection counts as: the peer, or a trusted proxy's last X-Forwarded-For entry. */
export function clientAddress(
	peer: string | undefined,
	forwardedFor: string | string[] | undefined,
	trustedProxies: ReadonlySet<string>
): string;
/** RELAY_TRUSTED_PROXIES: comma-separated addresses, or "none"; loopback when unset. */
export function trustedProxiesFromEnv(env: Record<string, string | undefined>): Set<string>;
