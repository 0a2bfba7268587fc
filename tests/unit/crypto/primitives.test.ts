import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, randomBytes, toBase64, toHex, utf8Encode } from '$lib/crypto/bytes';
import { open, seal } from '$lib/crypto/aead';
import { deriveSubkey, hkdfSha256 } from '$lib/crypto/hkdf';
import { deriveKeyFromPassword } from '$lib/crypto/kdf';
import { keyedId } from '$lib/crypto/keyed-id';

describe('XChaCha20-Poly1305', () => {
	// draft-irtf-cfrg-xchacha-03, appendix A.3.1
	const key = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
	const nonce = fromHex('404142434445464748494a4b4c4d4e4f5051525354555657');
	const aad = fromHex('50515253c0c1c2c3c4c5c6c7');
	const plaintext = utf8Encode(
		"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
	);
	const expected =
		'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e' +
		'c0875924c1c7987947deafd8780acf49';

	it('matches the published vector', () => {
		const sealed = seal({ key, plaintext, associatedData: aad, nonce });
		expect(toHex(sealed.subarray(0, 24))).toBe(toHex(nonce));
		expect(toHex(sealed.subarray(24))).toBe(expected);
		expect(open({ key, sealed, associatedData: aad })).toEqual(plaintext);
	});

	it('uses a fresh nonce each time', () => {
		const a = seal({ key, plaintext });
		const b = seal({ key, plaintext });
		expect(toHex(a.subarray(0, 24))).not.toBe(toHex(b.subarray(0, 24)));
	});

	it('rejects any flipped byte, a wrong key and wrong associated data', () => {
		const sealed = seal({ key, plaintext: utf8Encode('short secret'), associatedData: aad });
		for (let i = 0; i < sealed.length; i++) {
			const tampered = sealed.slice();
			tampered[i] ^= 0x01;
			expect(() => open({ key, sealed: tampered, associatedData: aad })).toThrow();
		}
		const otherKey = key.slice();
		otherKey[0] ^= 1;
		expect(() => open({ key: otherKey, sealed, associatedData: aad })).toThrow();
		expect(() => open({ key, sealed, associatedData: utf8Encode('other') })).toThrow();
		expect(() => open({ key, sealed: sealed.subarray(0, 30) })).toThrow(/too short/);
	});
});

describe('HKDF-SHA256', () => {
	it('matches RFC 5869 test case 1', () => {
		const okm = hkdfSha256({
			ikm: fromHex('0b'.repeat(22)),
			salt: fromHex('000102030405060708090a0b0c'),
			info: fromHex('f0f1f2f3f4f5f6f7f8f9'),
			length: 42
		});
		expect(toHex(okm)).toBe(
			'3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865'
		);
	});

	it('gives different keys for different purposes', () => {
		const vaultKey = new Uint8Array(32).fill(7);
		const records = deriveSubkey(vaultKey, 'records');
		expect(toHex(records)).not.toBe(toHex(deriveSubkey(vaultKey, 'scans')));
		expect(toHex(records)).toBe(toHex(deriveSubkey(vaultKey, 'records')));
		expect(() => deriveSubkey(new Uint8Array(16), 'records')).toThrow();
	});
});

describe('Argon2id', () => {
	it('matches the reference implementation vector (password/somesalt, m=64 MiB, t=2, p=1)', async () => {
		// phc-winner-argon2 src/test.c, Argon2id version 0x13.
		const key = await deriveKeyFromPassword({
			password: 'password',
			params: {
				algorithm: 'argon2id',
				memoryKiB: 65536,
				iterations: 2,
				parallelism: 1,
				salt: utf8Encode('somesalt')
			}
		});
		expect(toBase64(key).replace(/=+$/, '')).toBe('CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc');
	});

	it('refuses weak or unknown parameters', async () => {
		const salt = new Uint8Array(16);
		await expect(
			deriveKeyFromPassword({
				password: 'x',
				params: {
					algorithm: 'scrypt' as 'argon2id',
					memoryKiB: 1024,
					iterations: 1,
					parallelism: 1,
					salt
				}
			})
		).rejects.toThrow();
		await expect(
			deriveKeyFromPassword({
				password: 'x',
				params: {
					algorithm: 'argon2id',
					memoryKiB: 1024,
					iterations: 1,
					parallelism: 1,
					salt: salt.subarray(0, 4)
				}
			})
		).rejects.toThrow(/Salt/);
	});
});

describe('bytes and ids', () => {
	it('round-trips base64 and rejects garbage', () => {
		for (const length of [0, 1, 2, 3, 4, 5, 100]) {
			const bytes = Uint8Array.from({ length }, (_, i) => (i * 37) & 0xff);
			expect(fromBase64(toBase64(bytes))).toEqual(bytes);
			expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
		}
		expect(() => fromBase64('ab$d')).toThrow();
	});

	it("encodes large arrays like Buffer, with and without the engine's own toBase64", () => {
		// Sizes across the string-building chunk (0x8000 bytes of output) and its remainders.
		const sizes = [24_575, 24_576, 24_577, 65_536 * 3 + 1, 300_002];
		const withoutNative = (bytes: Uint8Array) =>
			Object.defineProperty(bytes, 'toBase64', { value: undefined });
		for (const length of sizes) {
			const bytes = randomBytes(length);
			const expected = Buffer.from(bytes).toString('base64');
			expect(toBase64(bytes)).toBe(expected);
			expect(toBase64(withoutNative(bytes))).toBe(expected);
			expect(toBase64(withoutNative(bytes.subarray(1)))).toBe(
				Buffer.from(bytes.subarray(1)).toString('base64')
			);
		}
	});

	it('derives stable opaque ids that hide the logical key', () => {
		const idKey = new Uint8Array(32).fill(1);
		const id = keyedId(idKey, 'element:passport');
		expect(id).toBe(keyedId(idKey, 'element:passport'));
		expect(id).not.toContain('passport');
		expect(id).not.toBe(keyedId(new Uint8Array(32).fill(2), 'element:passport'));
	});
});

describe('sealed box', () => {
	it('opens only with the recipient key, and detects tampering', async () => {
		const { generateBoxKeyPair, openSealedBox, sealToPublicKey } =
			await import('$lib/crypto/sealed-box');
		const recipient = generateBoxKeyPair();
		const other = generateBoxKeyPair();
		const plaintext = utf8Encode('failed request from https://shop.example');
		const sealed = sealToPublicKey({ recipientPublicKey: recipient.publicKey, plaintext });
		expect(Buffer.from(sealed).includes(Buffer.from('shop.example'))).toBe(false);
		expect(openSealedBox({ recipientSecretKey: recipient.secretKey, sealed })).toEqual(plaintext);
		expect(() => openSealedBox({ recipientSecretKey: other.secretKey, sealed })).toThrow();
		const tampered = sealed.slice();
		tampered[5] ^= 1; // inside the ephemeral public key
		expect(() =>
			openSealedBox({ recipientSecretKey: recipient.secretKey, sealed: tampered })
		).toThrow();
	});
});
