/**
 * AES-256-CBC without padding (NIST SP 800-38A) on WebCrypto, which only offers CBC with PKCS#7.
 * Telegram's blobs are already a multiple of 16 bytes (PROTOCOL.md 4.1 step 5), so:
 * - encrypt: WebCrypto appends one whole padding block; drop those last 16 bytes;
 * - decrypt: forge that padding block (a block of 0x10 bytes encrypted with the last ciphertext
 *   block as IV, which is exactly what CBC would have produced next) and let WebCrypto strip it.
 * The same code runs in browsers and Node ≥ 20 (globalThis.crypto.subtle).
 */

const BLOCK = 16;

function subtle(): SubtleCrypto {
	const api = globalThis.crypto?.subtle;
	if (!api) throw new Error('WebCrypto (crypto.subtle) is not available in this context');
	return api;
}

async function importAesKey(key: Uint8Array): Promise<CryptoKey> {
	if (key.length !== 32) throw new RangeError('AES-256 needs a 32-byte key');
	return subtle().importKey('raw', key as BufferSource, 'AES-CBC', false, ['encrypt', 'decrypt']);
}

function checkShape(data: Uint8Array, iv: Uint8Array): void {
	if (iv.length !== BLOCK) throw new RangeError('AES-CBC needs a 16-byte IV');
	if (data.length === 0 || data.length % BLOCK !== 0) {
		throw new RangeError('Unpadded AES-CBC data must be a non-empty multiple of 16 bytes');
	}
}

export async function aesCbcEncryptNoPadding(options: {
	key: Uint8Array;
	iv: Uint8Array;
	plaintext: Uint8Array;
}): Promise<Uint8Array> {
	const { key, iv, plaintext } = options;
	checkShape(plaintext, iv);
	const cryptoKey = await importAesKey(key);
	const out = await subtle().encrypt(
		{ name: 'AES-CBC', iv: iv as BufferSource },
		cryptoKey,
		plaintext as BufferSource
	);
	return new Uint8Array(out, 0, plaintext.length);
}

export async function aesCbcDecryptNoPadding(options: {
	key: Uint8Array;
	iv: Uint8Array;
	ciphertext: Uint8Array;
}): Promise<Uint8Array> {
	const { key, iv, ciphertext } = options;
	checkShape(ciphertext, iv);
	const cryptoKey = await importAesKey(key);
	const lastBlock = ciphertext.subarray(ciphertext.length - BLOCK);
	const padding = new Uint8Array(BLOCK).fill(BLOCK);
	const forged = await subtle().encrypt(
		{ name: 'AES-CBC', iv: lastBlock as BufferSource },
		cryptoKey,
		padding as BufferSource
	);
	const extended = new Uint8Array(ciphertext.length + BLOCK);
	extended.set(ciphertext);
	extended.set(new Uint8Array(forged, 0, BLOCK), ciphertext.length);
	const out = await subtle().decrypt(
		{ name: 'AES-CBC', iv: iv as BufferSource },
		cryptoKey,
		extended as BufferSource
	);
	return new Uint8Array(out);
}
