/**
 * How a scan sits in the sync document: by reference, never by its bytes.
 *
 * The document keeps, per saved version of a scan, its id, schema version and day (as for any
 * row, version-value.ts) and, in place of the ciphertext, a 36-byte reference:
 *   [0..3]   size of the sealed scan in bytes (u32, big-endian)
 *   [4..35]  SHA-256 of the sealed scan (nonce ‖ ciphertext ‖ tag exactly as Dexie holds it)
 * The bytes travel apart, content-addressed by that hash (scan-transfer.ts), from Dexie to
 * Dexie; a received scan counts only once its bytes hash to the reference.
 *
 * In the mirror a reference is a SealedRow whose `ct` is these 36 bytes, so the conflict rule
 * (doc-versions.ts) and the fingerprints (version-value.ts) apply to scans unchanged: two saves
 * of the same sealed bytes are one version, two different sealings are two.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '$lib/crypto/bytes';
import type { SealedRow } from '$lib/vault/types';

export const HASH_BYTES = 32;
export const SCAN_REF_BYTES = 4 + HASH_BYTES;
/** Larger sealed scans are refused: a reference naming more is not one this app wrote. */
export const MAX_SCAN_BYTES = 64 * 1024 * 1024;

/** A scan version as the document names it: a SealedRow whose ct is the reference. */
export type ScanRefRow = SealedRow;

export interface ScanRef {
	id: string;
	v: number;
	at: number;
	size: number;
	hash: Uint8Array;
	/** Hex of hash: the content address used on the wire and as a key. */
	address: string;
}

export function hashSealed(ct: Uint8Array): Uint8Array {
	return sha256(ct);
}

/**
 * The same hash by WebCrypto, for scans arriving from a peer: the browser hashes megabytes off
 * the main thread, which meanwhile keeps taking the channel's next chunks.
 */
export async function hashSealedOffThread(ct: Uint8Array): Promise<Uint8Array> {
	return new Uint8Array(await crypto.subtle.digest('SHA-256', ct as Uint8Array<ArrayBuffer>));
}

/** The reference row of a sealed scan row (hashes its ciphertext). */
export function refOfSealedScan(row: SealedRow): ScanRefRow {
	return refRow({
		id: row.id,
		v: row.v,
		at: row.at,
		size: row.ct.length,
		hash: hashSealed(row.ct)
	});
}

export function refRow(ref: Omit<ScanRef, 'address'>): ScanRefRow {
	const ct = new Uint8Array(SCAN_REF_BYTES);
	new DataView(ct.buffer).setUint32(0, ref.size);
	ct.set(ref.hash, 4);
	return { id: ref.id, v: ref.v, at: ref.at, ct };
}

/** undefined when the row is not a well-formed reference (a peer's mistake or malice). */
export function readScanRef(row: SealedRow): ScanRef | undefined {
	if (row.ct.length !== SCAN_REF_BYTES) return undefined;
	const size = new DataView(row.ct.buffer, row.ct.byteOffset, 4).getUint32(0);
	if (size === 0 || size > MAX_SCAN_BYTES) return undefined;
	const hash = row.ct.slice(4);
	return { id: row.id, v: row.v, at: row.at, size, hash, address: toHex(hash) };
}

export function isScanRef(row: SealedRow): boolean {
	return readScanRef(row) !== undefined;
}
