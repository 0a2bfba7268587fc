import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesCbcDecryptNoPadding, aesCbcEncryptNoPadding } from '../../../src/lib/passport/aes-cbc';
import {
	BlobIntegrityError,
	decryptBlob,
	encryptBlob,
	generateSecret,
	secretChecksumOk
} from '../../../src/lib/passport/blob-crypto';

/** Telegram's decryption as its guide writes it, with Node's OpenSSL: an independent reference. */
function referenceDecrypt(ciphertext: Uint8Array, secret: Uint8Array, hash: Uint8Array): Buffer {
	const digest = createHash('sha512').update(secret).update(hash).digest();
	const decipher = createDecipheriv('aes-256-cbc', digest.subarray(0, 32), digest.subarray(32, 48));
	decipher.setAutoPadding(false);
	const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
	expect(createHash('sha256').update(padded).digest().equals(Buffer.from(hash))).toBe(true);
	return padded;
}

describe('AES-256-CBC without padding on WebCrypto', () => {
	it('matches OpenSSL with padding off, both ways, for 1 to 5 blocks', async () => {
		const key = crypto.getRandomValues(new Uint8Array(32));
		const iv = crypto.getRandomValues(new Uint8Array(16));
		for (const blocks of [1, 2, 5]) {
			const plaintext = crypto.getRandomValues(new Uint8Array(16 * blocks));
			const ours = await aesCbcEncryptNoPadding({ key, iv, plaintext });
			const cipher = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
			const theirs = Buffer.concat([cipher.update(plaintext), cipher.final()]);
			expect(Buffer.from(ours).equals(theirs)).toBe(true);
			const back = await aesCbcDecryptNoPadding({ key, iv, ciphertext: theirs });
			expect(Buffer.from(back).equals(Buffer.from(plaintext))).toBe(true);
		}
	});

	it('refuses data that is not whole blocks', async () => {
		const key = new Uint8Array(32);
		const iv = new Uint8Array(16);
		await expect(
			aesCbcEncryptNoPadding({ key, iv, plaintext: new Uint8Array(15) })
		).rejects.toThrow(RangeError);
		await expect(
			aesCbcDecryptNoPadding({ key, iv, ciphertext: new Uint8Array(0) })
		).rejects.toThrow(RangeError);
	});
});

describe('Telegram blob encryption (PROTOCOL.md 4.1)', () => {
	it('makes secrets whose byte sum is 239 mod 255', () => {
		for (let i = 0; i < 500; i++) {
			const secret = generateSecret();
			expect(secret).toHaveLength(32);
			expect(secretChecksumOk(secret)).toBe(true);
		}
		const distinct = new Set(
			Array.from({ length: 50 }, () => Buffer.from(generateSecret()).toString('hex'))
		);
		expect(distinct.size).toBe(50);
	});

	it('pads with 32..47 bytes whose first byte is the length, to a multiple of 16', async () => {
		for (const length of [0, 1, 15, 16, 17, 100, 1000]) {
			const data = crypto.getRandomValues(new Uint8Array(length));
			const blob = await encryptBlob(data);
			expect(blob.ciphertext.length % 16).toBe(0);
			const padded = referenceDecrypt(blob.ciphertext, blob.secret, blob.hash);
			const padding = padded[0];
			expect(padding).toBeGreaterThanOrEqual(32);
			expect(padding).toBeLessThanOrEqual(255);
			expect(padded.length).toBe(padding + length);
			expect(padded.subarray(padding).equals(Buffer.from(data))).toBe(true);
		}
	});

	it('round-trips, and never reuses padding or keys', async () => {
		const data = new TextEncoder().encode('{"document_no":"P1234567","expiry_date":""}');
		const a = await encryptBlob(data);
		const b = await encryptBlob(data);
		expect(Buffer.from(a.ciphertext).equals(Buffer.from(b.ciphertext))).toBe(false);
		expect(Buffer.from(a.hash).equals(Buffer.from(b.hash))).toBe(false);
		const back = await decryptBlob(a);
		expect(new TextDecoder().decode(back)).toBe('{"document_no":"P1234567","expiry_date":""}');
	});

	it('refuses a wrong hash, a wrong secret and a flipped bit', async () => {
		const blob = await encryptBlob(new Uint8Array(200).fill(7));
		const wrongHash = blob.hash.slice();
		wrongHash[0] ^= 1;
		await expect(decryptBlob({ ...blob, hash: wrongHash })).rejects.toThrow(BlobIntegrityError);
		await expect(decryptBlob({ ...blob, secret: generateSecret() })).rejects.toThrow(
			BlobIntegrityError
		);
		const flipped = blob.ciphertext.slice();
		flipped[40] ^= 0x80;
		await expect(decryptBlob({ ...blob, ciphertext: flipped })).rejects.toThrow(BlobIntegrityError);
		await expect(
			decryptBlob({ ...blob, ciphertext: blob.ciphertext.subarray(16) })
		).rejects.toThrow(BlobIntegrityError);
	});
});
