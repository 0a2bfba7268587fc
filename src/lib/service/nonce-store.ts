/**
 * One-time nonces for consent requests, each bound to the browser session that asked for it
 * (PROTOCOL.md 6; the OAuth `state` defence against login CSRF): issue one per sign-up link for a
 * session, accept it once on delivery, and only from that same session; forget it after `ttlMs`.
 * Without the binding, an attacker could start a sign-up, send the link to a victim, and the
 * victim's papers would arrive in the attacker's session.
 *
 * In memory, for one process; a service with several processes keeps the same contract in its
 * database and passes its own function to decryptDelivery as `consumeNonce`.
 */

import { randomBytes, toBase64Url } from '../crypto/bytes';

/** What a nonce store says about a delivered nonce; consumeNonce may return it as is. */
export type NonceVerdict = 'accepted' | 'unknown' | 'other_session';

export interface NonceStore {
	/** A fresh nonce for this session (an opaque id the service keeps in an HttpOnly cookie). */
	issue(session: string): string;
	/**
	 * 'accepted' the first time a live nonce comes back from the session it was issued to (and it is
	 * spent); 'other_session' if it belongs to another session (it stays usable by its own);
	 * 'unknown' if it was never issued, has expired, or was used.
	 */
	redeem(nonce: string, session: string): NonceVerdict;
	/** redeem() === 'accepted'. */
	consume(nonce: string, session: string): boolean;
	readonly size: number;
}

function requireSession(session: unknown): asserts session is string {
	if (typeof session !== 'string' || session.length === 0) {
		throw new TypeError('A nonce is bound to a browser session: pass its session id');
	}
}

export function createNonceStore(
	options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}
): NonceStore {
	const ttlMs = options.ttlMs ?? 15 * 60 * 1000;
	const maxEntries = options.maxEntries ?? 100000;
	const now = options.now ?? Date.now;
	const issued = new Map<string, { session: string; expiry: number }>();

	const sweep = () => {
		const time = now();
		for (const [nonce, entry] of issued) if (entry.expiry <= time) issued.delete(nonce);
		// Still full: drop the oldest (Map keeps insertion order) rather than grow without bound.
		while (issued.size >= maxEntries) issued.delete(issued.keys().next().value as string);
	};

	const redeem = (nonce: string, session: string): NonceVerdict => {
		requireSession(session);
		const entry = typeof nonce === 'string' ? issued.get(nonce) : undefined;
		if (!entry || entry.expiry <= now()) {
			if (entry) issued.delete(nonce);
			return 'unknown';
		}
		if (entry.session !== session) return 'other_session';
		issued.delete(nonce);
		return 'accepted';
	};

	return {
		issue(session) {
			requireSession(session);
			sweep();
			const nonce = toBase64Url(randomBytes(18));
			issued.set(nonce, { session, expiry: now() + ttlMs });
			return nonce;
		},
		redeem,
		consume: (nonce, session) => redeem(nonce, session) === 'accepted',
		get size() {
			return issued.size;
		}
	};
}
