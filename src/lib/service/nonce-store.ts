/**
 * One-time nonces for consent requests: issue one per link, accept it once on delivery, forget it
 * after `ttlMs`. In memory, for one process; a service with several processes keeps the same
 * contract in its database (pass `consume` to decryptDelivery as `consumeNonce`).
 */

import { randomBytes, toBase64Url } from '../crypto/bytes';

export interface NonceStore {
	issue(): string;
	/** True the first time a live nonce is presented; false ever after, or if unknown/expired. */
	consume(nonce: string): boolean;
	readonly size: number;
}

export function createNonceStore(
	options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}
): NonceStore {
	const ttlMs = options.ttlMs ?? 15 * 60 * 1000;
	const maxEntries = options.maxEntries ?? 100000;
	const now = options.now ?? Date.now;
	const expiries = new Map<string, number>();

	const sweep = () => {
		const time = now();
		for (const [nonce, expiry] of expiries) if (expiry <= time) expiries.delete(nonce);
		// Still full: drop the oldest (Map keeps insertion order) rather than grow without bound.
		while (expiries.size >= maxEntries) expiries.delete(expiries.keys().next().value as string);
	};

	return {
		issue() {
			sweep();
			const nonce = toBase64Url(randomBytes(18));
			expiries.set(nonce, now() + ttlMs);
			return nonce;
		},
		consume(nonce) {
			const expiry = expiries.get(nonce);
			expiries.delete(nonce);
			return expiry !== undefined && expiry > now();
		},
		get size() {
			return expiries.size;
		}
	};
}
