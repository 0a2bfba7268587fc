/**
 * Opaque record ids: HMAC-SHA256 of the logical key (RFC 2104), base64url, truncated to 128 bits.
 * Deterministic so two devices agree on a record's id, keyed so storage reveals nothing.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url, utf8Encode } from './bytes';

export function keyedId(idKey: Uint8Array, logicalKey: string): string {
	return toBase64Url(hmac(sha256, idKey, utf8Encode(logicalKey)).subarray(0, 16));
}
