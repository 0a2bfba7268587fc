/**
 * Telegram Passport's blob encryption (PROTOCOL.md 4.1; core.telegram.org/passport/encryption),
 * used alike for element data, every file and the credentials:
 * padded = P random bytes (32 ≤ P ≤ 255, first byte = P, total a multiple of 16) ‖ data;
 * hash = SHA-256(padded); SHA-512(secret ‖ hash) gives key (0–31) and IV (32–47);
 * ciphertext = AES-256-CBC(padded) with no padding of its own.
 */

import { concatBytes, equalBytes, randomBytes, wipe } from '../crypto/bytes';
import { aesCbcDecryptNoPadding, aesCbcEncryptNoPadding } from './aes-cbc';

export const SECRET_LENGTH = 32;
const MIN_PADDING = 32;
const MAX_PADDING = 255;
const BLOCK = 16;

export interface EncryptedBlob {
	ciphertext: Uint8Array;
	/** SHA-256 of the padded plaintext: Telegram's data_hash / file_hash. */
	hash: Uint8Array;
	/** The 32-byte secret the key and IV come from. */
	secret: Uint8Array;
}

/** Thrown when a blob does not decrypt to something whose hash matches. */
export class BlobIntegrityError extends Error {
	constructor(message = 'Decrypted data does not match its hash') {
		super(message);
		this.name = 'BlobIntegrityError';
	}
}

async function digest(algorithm: 'SHA-256' | 'SHA-512', data: Uint8Array): Promise<Uint8Array> {
	return new Uint8Array(await globalThis.crypto.subtle.digest(algorithm, data as BufferSource));
}

/**
 * 32 random bytes whose sum is 239 modulo 255, as Telegram's clients make them (Telegram Desktop
 * GenerateSecretBytes): fix the first byte so the sum lands there.
 */
export function generateSecret(): Uint8Array {
	const secret = randomBytes(SECRET_LENGTH);
	let sum = 0;
	for (const byte of secret) sum += byte;
	secret[0] = (secret[0] + 255 + 239 - (sum % 255)) % 255;
	return secret;
}

export function secretChecksumOk(secret: Uint8Array): boolean {
	let sum = 0;
	for (const byte of secret) sum += byte;
	return secret.length === SECRET_LENGTH && sum % 255 === 239;
}

/** The smallest legal padding, as Telegram's clients use. */
function paddingLength(dataLength: number): number {
	return MIN_PADDING + ((BLOCK - ((dataLength + MIN_PADDING) % BLOCK)) % BLOCK);
}

async function deriveKeyAndIv(secret: Uint8Array, hash: Uint8Array) {
	const material = await digest('SHA-512', concatBytes(secret, hash));
	return { key: material.slice(0, 32), iv: material.slice(32, 48), material };
}

export async function encryptBlob(
	data: Uint8Array,
	secret = generateSecret()
): Promise<EncryptedBlob> {
	if (secret.length !== SECRET_LENGTH) throw new RangeError('The secret must be 32 bytes');
	const length = paddingLength(data.length);
	const padded = new Uint8Array(length + data.length);
	padded.set(randomBytes(length));
	padded[0] = length;
	padded.set(data, length);
	const hash = await digest('SHA-256', padded);
	const { key, iv, material } = await deriveKeyAndIv(secret, hash);
	const ciphertext = await aesCbcEncryptNoPadding({ key, iv, plaintext: padded });
	wipe(padded, key, iv, material);
	return { ciphertext, hash, secret };
}

/** Decrypts, checks SHA-256(padded) against `hash`, and strips the padding. */
export async function decryptBlob(options: {
	ciphertext: Uint8Array;
	secret: Uint8Array;
	hash: Uint8Array;
}): Promise<Uint8Array> {
	const { ciphertext, secret, hash } = options;
	if (hash.length !== 32) throw new BlobIntegrityError('A data or file hash is 32 bytes');
	if (ciphertext.length < MIN_PADDING || ciphertext.length % BLOCK !== 0) {
		throw new BlobIntegrityError('Ciphertext length is not a multiple of 16 of at least 32');
	}
	const { key, iv, material } = await deriveKeyAndIv(secret, hash);
	const padded = await aesCbcDecryptNoPadding({ key, iv, ciphertext });
	wipe(key, iv, material);
	if (!equalBytes(await digest('SHA-256', padded), hash)) throw new BlobIntegrityError();
	const length = padded[0];
	if (length < MIN_PADDING || length > MAX_PADDING || length > padded.length) {
		throw new BlobIntegrityError('Bad padding length');
	}
	return padded.slice(length);
}
