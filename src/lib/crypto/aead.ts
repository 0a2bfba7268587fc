/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) sealing with a fresh random nonce.
 * The 24-byte nonce is random per message, which XChaCha's extended nonce makes safe at any volume.
 * Output layout: nonce (24) ‖ ciphertext ‖ tag (16).
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from './bytes';

export const KEY_LENGTH = 32;
export const NONCE_LENGTH = 24;
export const TAG_LENGTH = 16;

function checkKey(key: Uint8Array): void {
	if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
		throw new TypeError(`AEAD key must be ${KEY_LENGTH} bytes`);
	}
}

export function seal(options: {
	key: Uint8Array;
	plaintext: Uint8Array;
	associatedData?: Uint8Array;
	/** Tests only: a fixed nonce for published vectors. Never pass one in app code. */
	nonce?: Uint8Array;
}): Uint8Array {
	checkKey(options.key);
	const nonce = options.nonce ?? randomBytes(NONCE_LENGTH);
	if (nonce.length !== NONCE_LENGTH) throw new TypeError(`Nonce must be ${NONCE_LENGTH} bytes`);
	const body = xchacha20poly1305(options.key, nonce, options.associatedData).encrypt(
		options.plaintext
	);
	const out = new Uint8Array(NONCE_LENGTH + body.length);
	out.set(nonce, 0);
	out.set(body, NONCE_LENGTH);
	return out;
}

/** Throws when the ciphertext, its nonce or the associated data were altered. */
export function open(options: {
	key: Uint8Array;
	sealed: Uint8Array;
	associatedData?: Uint8Array;
}): Uint8Array {
	checkKey(options.key);
	const { sealed } = options;
	if (!(sealed instanceof Uint8Array) || sealed.length < NONCE_LENGTH + TAG_LENGTH) {
		throw new Error('Sealed data is too short');
	}
	const nonce = sealed.subarray(0, NONCE_LENGTH);
	return xchacha20poly1305(options.key, nonce, options.associatedData).decrypt(
		sealed.subarray(NONCE_LENGTH)
	);
}
