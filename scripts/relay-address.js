// Who a connection to the relay counts as, for the limit of connections per address.
//
// Deployed as the README says, the relay sits behind a TLS proxy on the same host, so every
// connection comes from loopback; the client's own address is then the last entry of the
// X-Forwarded-For header the proxy sets (earlier entries are whatever the client claimed, and
// are ignored). That header is believed only from the trusted proxies (loopback by default,
// RELAY_TRUSTED_PROXIES to change): from anyone else it is ignored.
//
// IPv6 addresses count per /64, the block one subscriber usually gets, so an attacker cannot
// step around the limit by rotating addresses inside their own block.
import { isIP } from 'node:net';

export const DEFAULT_TRUSTED_PROXIES = Object.freeze(['127.0.0.1', '::1']);

/** IPv4 as such, even as the socket reports it IPv4-mapped (::ffff:192.0.2.1); no zone id. */
function plain(address) {
	const unzoned = address.replace(/%.*$/, '');
	const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(unzoned);
	return mapped ? mapped[1] : unzoned;
}

/** The eight 16-bit groups of an IPv6 address, as numbers. */
function ipv6Groups(address) {
	let text = address;
	const ipv4Tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
	if (ipv4Tail) {
		const [a, b, c, d] = ipv4Tail.slice(1).map(Number);
		text = `${text.slice(0, ipv4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
	}
	const [head, tail] = text.split('::');
	const left = head ? head.split(':') : [];
	const right = tail === undefined ? [] : tail ? tail.split(':') : [];
	const middle = Array(8 - left.length - right.length).fill('0');
	return [...left, ...(tail === undefined ? [] : middle), ...right].map((group) =>
		Number.parseInt(group, 16)
	);
}

/** The unit counted per address: an IPv4 address, or an IPv6 /64 ("2001:db8:0:1::/64"). */
export function addressKey(address) {
	const ip = plain(address);
	if (isIP(ip) !== 6) return ip;
	const prefix = ipv6Groups(ip)
		.slice(0, 4)
		.map((group) => group.toString(16));
	return `${prefix.join(':')}::/64`;
}

/**
 * @param {string | undefined} peer the TCP peer's address
 * @param {string | string[] | undefined} forwardedFor the X-Forwarded-For header, if any
 * @param {ReadonlySet<string>} trustedProxies peers whose X-Forwarded-For is believed
 */
export function clientAddress(peer, forwardedFor, trustedProxies) {
	const from = plain(peer ?? '');
	if (forwardedFor && trustedProxies.has(from)) {
		const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
		const last = plain(header.split(',').at(-1)?.trim() ?? '');
		if (isIP(last)) return addressKey(last);
	}
	return from ? addressKey(from) : 'unknown';
}

/**
 * RELAY_TRUSTED_PROXIES: addresses separated by commas, or "none". Unset: loopback.
 * @returns {Set<string>}
 */
export function trustedProxiesFromEnv(env) {
	const value = env.RELAY_TRUSTED_PROXIES;
	if (value === undefined) return new Set(DEFAULT_TRUSTED_PROXIES);
	if (value.trim() === 'none') return new Set();
	const addresses = value
		.split(',')
		.map((entry) => plain(entry.trim()))
		.filter(Boolean);
	for (const address of addresses) {
		if (!isIP(address)) {
			throw new Error(`RELAY_TRUSTED_PROXIES: "${address}" is not an IP address`);
		}
	}
	return new Set(addresses);
}
