/**
 * The element `hash` (PROTOCOL.md 4.2). Telegram's server computes it and the spec leaves it to us:
 * base64 SHA-256 over the element's data_hash then its file_hashes in part order (front_side,
 * reverse_side, selfie, files…, translation…), or over the UTF-8 value for phone and email.
 * Services echo it in PassportElementErrorUnspecified, which is how section 5 finds the element.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, toBase64, utf8Encode } from '../crypto/bytes';

export function elementHashOfParts(partHashes: readonly Uint8Array[]): string {
	return toBase64(sha256(concatBytes(...partHashes)));
}

export function elementHashOfValue(value: string): string {
	return toBase64(sha256(utf8Encode(value)));
}

/**
 * base64 SHA-256 of one field's value. The consent history keeps these instead of the values, so
 * a field the service flagged can be seen to change without storing the personal data twice.
 */
export function fieldDigest(value: string): string {
	return toBase64(sha256(utf8Encode(value)));
}
