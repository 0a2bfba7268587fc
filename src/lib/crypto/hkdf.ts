/**
 * HKDF-SHA256 (RFC 5869) subkeys of the vault key. Each purpose has its own `info` label,
 * so a key for one job can never be confused with a key for another.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8Encode } from './bytes';

export function hkdfSha256(options: {
	ikm: Uint8Array;
	salt?: Uint8Array;
	info: Uint8Array;
	length: number;
}): Uint8Array {
	if (options.length < 1 || options.length > 255 * 32) throw new RangeError('Invalid HKDF length');
	return hkdf(sha256, options.ikm, options.salt, options.info, options.length);
}

/** The purposes the vault key serves; changing a label changes every key derived for it. */
export type SubkeyPurpose =
	| 'records'
	| 'scans'
	| 'record-ids'
	| 'sync-room-name'
	| 'sync-room-secret'
	/** The MAC of backup files (vault/backup-format.ts). */
	| 'backup-file';

export function deriveSubkey(
	vaultKey: Uint8Array,
	purpose: SubkeyPurpose,
	length = 32
): Uint8Array {
	if (vaultKey.length !== 32) throw new TypeError('Vault key must be 32 bytes');
	return hkdfSha256({ ikm: vaultKey, info: utf8Encode(`papiers/v1/${purpose}`), length });
}
