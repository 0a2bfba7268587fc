/**
 * A key fingerprint a person can compare by eye: SHA-256 (FIPS 180-4) of the service's
 * DER SubjectPublicKeyInfo, upper-case hex in groups of four. Same bytes as
 * `openssl pkey -pubin -outform DER | sha256sum`, so a service can print it too.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../crypto/bytes';

export function keyFingerprint(spki: Uint8Array): string {
	return toHex(sha256(spki))
		.toUpperCase()
		.replace(/.{4}(?=.)/g, '$& ');
}
