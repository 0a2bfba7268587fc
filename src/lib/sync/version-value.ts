/**
 * How one saved version of a sealed row sits in the sync document, and how versions are told
 * apart without reading them.
 *
 * A version is stored as one Uint8Array (Yjs keeps it as opaque binary content, the most compact
 * form it has): a 13-byte header, then the row's ciphertext untouched.
 *   [0]      VALUE_FORMAT (1)
 *   [1..4]   v, schema version of the sealed payload (u32, big-endian)
 *   [5..12]  at, Unix milliseconds of the save's UTC day (f64, big-endian; the exact time is
 *            sealed inside ct, see vault/padding.ts)
 *   [13..]   ct, nonce ‖ ciphertext ‖ tag exactly as the vault wrote it
 * The row's id is not repeated here: it is part of the map key (see doc-versions.ts).
 */
import { toBase64Url } from '$lib/crypto/bytes';
import type { SealedRow } from '$lib/vault/types';

const VALUE_FORMAT = 1;
const VALUE_HEADER_BYTES = 13;

export function encodeVersion(row: SealedRow): Uint8Array {
	if (!(row.ct instanceof Uint8Array)) throw new TypeError('A sealed row carries ct as bytes');
	if (!Number.isInteger(row.v) || row.v < 0 || row.v > 0xffffffff) {
		throw new RangeError('Schema version out of range');
	}
	const out = new Uint8Array(VALUE_HEADER_BYTES + row.ct.length);
	const header = new DataView(out.buffer);
	header.setUint8(0, VALUE_FORMAT);
	header.setUint32(1, row.v);
	header.setFloat64(5, row.at);
	out.set(row.ct, VALUE_HEADER_BYTES);
	return out;
}

/**
 * undefined when the value is not a version we understand (written by a newer format, or by a
 * misbehaving peer): such a value is ignored, never allowed to break the rest of the vault.
 */
export function decodeVersion(id: string, value: unknown): SealedRow | undefined {
	if (!(value instanceof Uint8Array) || value.length < VALUE_HEADER_BYTES) return undefined;
	const header = new DataView(value.buffer, value.byteOffset, VALUE_HEADER_BYTES);
	if (header.getUint8(0) !== VALUE_FORMAT) return undefined;
	const at = header.getFloat64(5);
	if (!Number.isFinite(at)) return undefined;
	return { id, v: header.getUint32(1), at, ct: value.slice(VALUE_HEADER_BYTES) };
}

/**
 * A short name for one saved version, kept to remember which version this device's store last
 * agreed on with the document. It relies on the SealedRow contract (types.ts): ct starts with a
 * 24-byte random nonce and ends with a 16-byte Poly1305 tag that depends on every other byte,
 * so nonce, tag and length name one save without hashing megabytes of scans.
 */
export function versionFingerprint(row: Pick<SealedRow, 'v' | 'ct'>): string {
	const { ct } = row;
	const sample =
		ct.length <= 40 ? ct : new Uint8Array([...ct.subarray(0, 24), ...ct.subarray(ct.length - 16)]);
	return `${row.v}.${ct.length}.${toBase64Url(sample)}`;
}

export function sameVersion(
	a: Pick<SealedRow, 'v' | 'ct'>,
	b: Pick<SealedRow, 'v' | 'ct'>
): boolean {
	if (a.v !== b.v || a.ct.length !== b.ct.length) return false;
	for (let i = 0; i < a.ct.length; i++) if (a.ct[i] !== b.ct[i]) return false;
	return true;
}
