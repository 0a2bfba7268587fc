/**
 * Trust on first use: the wallet remembers the key fingerprint each origin used when the person
 * first authorized it. A known origin presenting another key is warned about before anything
 * else, since that is what a compromised or impersonated service would look like.
 */
import type { RecordStore } from './types';

export interface TrustedService {
	origin: string;
	keyFingerprint: string;
	firstSeen: number;
	lastSeen: number;
}

export type KeyCheck =
	{ status: 'new' } | { status: 'known' } | { status: 'changed'; previous: TrustedService };

const key = (origin: string) => `trust:${origin}`;

export async function checkServiceKey(
	store: RecordStore,
	origin: string,
	keyFingerprint: string
): Promise<KeyCheck> {
	const known = await store.get<TrustedService>(key(origin));
	if (!known) return { status: 'new' };
	return known.keyFingerprint === keyFingerprint
		? { status: 'known' }
		: { status: 'changed', previous: known };
}

/** Records the key the person just chose to trust (on authorizing). */
export async function rememberServiceKey(
	store: RecordStore,
	origin: string,
	keyFingerprint: string
): Promise<void> {
	const known = await store.get<TrustedService>(key(origin));
	const now = Date.now();
	await store.put<TrustedService>(key(origin), {
		origin,
		keyFingerprint,
		firstSeen: known && known.keyFingerprint === keyFingerprint ? known.firstSeen : now,
		lastSeen: now
	});
}
