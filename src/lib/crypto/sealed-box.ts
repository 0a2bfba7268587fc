/**
 * Anonymous public-key sealing ("sealed box"): X25519 (RFC 7748) with an ephemeral key,
 * HKDF-SHA256 over the shared secret bound to both public keys, then XChaCha20-Poly1305.
 * Lets the wallet write something only the unlocked vault can read while it is locked.
 * Layout: ephemeral public key (32) ‖ nonce ‖ ciphertext ‖ tag.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { open, seal } from './aead';
import { concatBytes, utf8Encode, wipe } from './bytes';
import { hkdfSha256 } from './hkdf';

const INFO = utf8Encode('papiers/v1/sealed-box');

function boxKey(shared: Uint8Array, ephemeralPublic: Uint8Array, recipientPublic: Uint8Array) {
	return hkdfSha256({
		ikm: shared,
		salt: concatBytes(ephemeralPublic, recipientPublic),
		info: INFO,
		length: 32
	});
}

export function generateBoxKeyPair(): { secretKey: Uint8Array; publicKey: Uint8Array } {
	const { secretKey, publicKey } = x25519.keygen();
	return { secretKey, publicKey };
}

export function sealToPublicKey(options: {
	recipientPublicKey: Uint8Array;
	plaintext: Uint8Array;
}): Uint8Array {
	if (options.recipientPublicKey.length !== 32) throw new TypeError('X25519 keys are 32 bytes');
	const ephemeral = x25519.keygen();
	const shared = x25519.getSharedSecret(ephemeral.secretKey, options.recipientPublicKey);
	const key = boxKey(shared, ephemeral.publicKey, options.recipientPublicKey);
	try {
		return concatBytes(ephemeral.publicKey, seal({ key, plaintext: options.plaintext }));
	} finally {
		wipe(shared, key, ephemeral.secretKey);
	}
}

/** Throws when the box was altered or sealed to another key. */
export function openSealedBox(options: {
	recipientSecretKey: Uint8Array;
	sealed: Uint8Array;
}): Uint8Array {
	const { sealed, recipientSecretKey } = options;
	if (sealed.length < 32 + 24 + 16) throw new Error('Sealed box is too short');
	const ephemeralPublic = sealed.subarray(0, 32);
	const shared = x25519.getSharedSecret(recipientSecretKey, ephemeralPublic);
	const key = boxKey(shared, ephemeralPublic, x25519.getPublicKey(recipientSecretKey));
	try {
		return open({ key, sealed: sealed.subarray(32) });
	} finally {
		wipe(shared, key);
	}
}
