/**
 * Padding of sealed payloads to size buckets, so that the length of a stored ciphertext no
 * longer tells which kind of record it holds (a phone number, a passport, a history entry) nor
 * the exact size of a scan. Applied before sealing; the AEAD then authenticates the padding too.
 *
 * Layout of a padded plaintext:
 *   [0..3]   n, length of the content (u32, big-endian)
 *   [4..n+3] the content
 *   [n+4..]  zeros, up to the bucket
 * The total is chosen so that the sealed result (24-byte nonce ‖ ciphertext ‖ 16-byte tag) is a
 * whole multiple of the bucket step. Unpadding checks the declared length against the bytes
 * present and that every padding byte is zero: one sealed payload opens to one content only.
 */

import { NONCE_LENGTH, TAG_LENGTH } from '$lib/crypto/aead';

/** Nonce and tag that sealing adds to a plaintext (XChaCha20-Poly1305). */
export const SEAL_OVERHEAD = NONCE_LENGTH + TAG_LENGTH;
const LENGTH_PREFIX = 4;

/**
 * Sealed records are whole multiples of this many bytes. 512 rather than 256: measured on a
 * vault with every kind (tests/unit/vault/metadata.test.ts), 256 still set phone, email and the
 * inbox key apart from address, personal details, history entries and device records; with 512
 * they all take one size, and only elements holding many scan references take more.
 */
export const RECORD_BUCKET = 512;
/** Sealed scans are whole multiples of this many bytes. */
export const SCAN_BUCKET = 64 * 1024;

/** What a sealed box adds (crypto/sealed-box.ts): ephemeral public key, nonce and tag. */
export const BOX_OVERHEAD = 32 + NONCE_LENGTH + TAG_LENGTH;

/**
 * The sealed length a content of `contentLength` bytes takes once padded to `step`, for a
 * sealing that adds `overhead` bytes.
 */
export function bucketLength(
	contentLength: number,
	step: number,
	overhead = SEAL_OVERHEAD
): number {
	const needed = LENGTH_PREFIX + contentLength + overhead;
	return Math.max(1, Math.ceil(needed / step)) * step;
}

export function pad(content: Uint8Array, step: number, overhead = SEAL_OVERHEAD): Uint8Array {
	if (content.length > 0xffffffff) throw new RangeError('Content too large to pad');
	const padded = new Uint8Array(bucketLength(content.length, step, overhead) - overhead);
	new DataView(padded.buffer).setUint32(0, content.length);
	padded.set(content, LENGTH_PREFIX);
	return padded;
}

export class PaddingError extends Error {
	constructor() {
		super('Padded payload is malformed');
		this.name = 'PaddingError';
	}
}

/** The content of a padded plaintext (a view into it); throws PaddingError when malformed. */
export function unpad(padded: Uint8Array, step: number, overhead = SEAL_OVERHEAD): Uint8Array {
	if (padded.length < LENGTH_PREFIX || (padded.length + overhead) % step !== 0) {
		throw new PaddingError();
	}
	const length = new DataView(padded.buffer, padded.byteOffset, LENGTH_PREFIX).getUint32(0);
	const end = LENGTH_PREFIX + length;
	if (end > padded.length) throw new PaddingError();
	for (let i = end; i < padded.length; i++) if (padded[i] !== 0) throw new PaddingError();
	// The smallest bucket that holds the content: a longer padding than needed is refused too.
	if (bucketLength(length, step, overhead) !== padded.length + overhead) throw new PaddingError();
	return padded.subarray(LENGTH_PREFIX, end);
}

const DAY_MS = 86_400_000;

/**
 * What a sealed row keeps of its save time in clear: the UTC day it starts. Sync orders
 * versions by it (newest day first, then by key, the same on every device); the exact time
 * is sealed inside the record.
 */
export function dayOf(at: number): number {
	return Math.floor(at / DAY_MS) * DAY_MS;
}
