import { describe, expect, it } from 'vitest';
import { buildPassportData } from '../../../src/lib/passport/build-response';
import {
	DeliveryFormatError,
	FragmentTooLargeError,
	MAX_FRAGMENT_LENGTH,
	encodeFormPost,
	encodeFormPostBody,
	encodeFragmentUrl,
	readFormPost,
	readFragment,
	readFragmentPayload,
	type FragmentEnvelope
} from '../../../src/lib/passport/delivery';
import { decryptBlob } from '../../../src/lib/passport/blob-crypto';
import { constants, createPublicKey, privateDecrypt } from 'node:crypto';
import { parseConsentRequest } from '../../../src/lib/passport/request';
import { ScanShelf, allElements, consentQuery, sharedKeys } from './helpers';

async function built(scanSize = 300) {
	const shelf = new ScanShelf();
	const elements = allElements(shelf);
	elements.passport.front_side = shelf.ref('big-front', scanSize);
	const parsed = parseConsentRequest({
		query: consentQuery({
			scope: '{"v":1,"d":["pp","em"]}',
			callback_url: 'https://s.example/cb?x=1#old'
		})
	});
	if (!parsed.ok) throw new Error(parsed.code);
	return {
		request: parsed.request,
		...(await buildPassportData({ request: parsed.request, elements, readScan: shelf.readScan }))
	};
}

describe('form_post delivery', () => {
	it('has tg_passport, passport_data and one base64 file field per file', async () => {
		const { passportData, files } = await built();
		const fields = encodeFormPost({ passportData, files });
		const fileId = passportData.data[0].front_side!.file_id;
		expect(fields.map(([name]) => name)).toEqual([
			'tg_passport',
			'passport_data',
			`file_${fileId}`
		]);
		expect(fields[0][1]).toBe('success');
		expect(JSON.parse(fields[1][1])).toEqual(passportData);
		expect(Buffer.from(fields[2][1], 'base64').equals(Buffer.from(files[fileId]))).toBe(true);
	});

	it('reads back what it wrote, through a urlencoded body', async () => {
		const { passportData, files } = await built();
		const body = encodeFormPostBody({ passportData, files });
		const outcome = readFormPost(new URLSearchParams(body));
		expect(outcome).toEqual({ status: 'success', passportData, files });
	});

	it('reads cancel and error returns', () => {
		expect(readFormPost({ tg_passport: 'cancel' })).toEqual({ status: 'cancel' });
		expect(
			readFormPost([
				['tg_passport', 'error'],
				['error', 'SCOPE_INVALID']
			])
		).toEqual({
			status: 'error',
			code: 'SCOPE_INVALID'
		});
	});

	it.each([
		['no tg_passport', {}],
		['an unknown status', { tg_passport: 'maybe' }],
		['an error without a code', { tg_passport: 'error' }],
		['an error code with markup', { tg_passport: 'error', error: '<b>x</b>' }],
		['no passport_data', { tg_passport: 'success' }],
		['passport_data that is not JSON', { tg_passport: 'success', passport_data: '{' }],
		['passport_data of the wrong shape', { tg_passport: 'success', passport_data: '{"data":{}}' }],
		[
			'a file that is not base64',
			{ tg_passport: 'success', passport_data: '{"data":[],"credentials":{}}', file_a: '***' }
		]
	])('refuses %s', (_name, fields) => {
		expect(() => readFormPost(fields as Record<string, string>)).toThrow(DeliveryFormatError);
	});
});

describe('fragment delivery', () => {
	const publicKey = () =>
		new Uint8Array(createPublicKey(sharedKeys().spkiPem).export({ type: 'spki', format: 'der' }));

	/** What only the service can do: unwrap the secret with its private key, open the blob. */
	async function openWithServiceKey(envelope: FragmentEnvelope) {
		const secret = privateDecrypt(
			{ key: sharedKeys().pkcs8Pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
			envelope.secret
		);
		const plain = await decryptBlob({
			ciphertext: envelope.data,
			secret: new Uint8Array(secret),
			hash: envelope.hash
		});
		return readFragmentPayload(plain);
	}

	it('replaces the callback fragment with a sealed payload, and reads back', async () => {
		const { request, passportData, files } = await built();
		const url = await encodeFragmentUrl({
			callbackUrl: request.callbackUrl,
			publicKey: publicKey(),
			passportData,
			files
		});
		expect(url).toMatch(
			/^https:\/\/s\.example\/cb\?x=1#tg_passport=success&data=[\w-]+&hash=[\w-]{43}&secret=[\w-]+$/
		);
		// The email travels in clear in Telegram's PassportData: not in this URL, in any decoding.
		const fragment = new URL(url).hash;
		for (const [, value] of new URLSearchParams(fragment.slice(1))) {
			expect(Buffer.from(value, 'base64url').toString('latin1')).not.toContain('marie@example');
		}
		expect(decodeURIComponent(url)).not.toContain('marie@example');
		const outcome = readFragment(fragment);
		if (outcome.status !== 'success') throw new Error('not a success');
		expect(await openWithServiceKey(outcome.envelope)).toEqual({ passportData, files });
	});

	it('refuses, with a typed error, a response over 1.5 MB', async () => {
		const { request, passportData, files } = await built(1_200_000);
		let error: unknown;
		try {
			await encodeFragmentUrl({
				callbackUrl: request.callbackUrl,
				publicKey: publicKey(),
				passportData,
				files
			});
		} catch (caught) {
			error = caught;
		}
		expect(error).toBeInstanceOf(FragmentTooLargeError);
		expect((error as FragmentTooLargeError).code).toBe('FRAGMENT_TOO_LARGE');
		expect((error as FragmentTooLargeError).limit).toBe(MAX_FRAGMENT_LENGTH);
		expect((error as FragmentTooLargeError).length).toBeGreaterThan(MAX_FRAGMENT_LENGTH);
	});

	it('accepts a response just under the limit and refuses it when the limit is lower', async () => {
		const { request, passportData, files } = await built(600_000);
		const options = {
			callbackUrl: request.callbackUrl,
			publicKey: publicKey(),
			passportData,
			files
		};
		const url = await encodeFragmentUrl(options);
		expect(url.length).toBeLessThanOrEqual(MAX_FRAGMENT_LENGTH);
		await expect(encodeFragmentUrl({ ...options, maxLength: url.length - 1 })).rejects.toThrow(
			FragmentTooLargeError
		);
	});

	it('reads cancel, and refuses a fragment that is not a sealed payload', async () => {
		expect(readFragment('#tg_passport=cancel')).toEqual({ status: 'cancel' });
		expect(() => readFragment('#tg_passport=success&data=%%%&hash=AA&secret=AA')).toThrow(
			DeliveryFormatError
		);
		expect(() => readFragment('#tg_passport=success&data=AAAA&hash=AAAA')).toThrow(
			DeliveryFormatError
		);
		// The readable format of before is refused outright, even when well formed.
		const { passportData } = await built();
		const clear = Buffer.from(JSON.stringify({ passport_data: passportData, files: {} })).toString(
			'base64url'
		);
		expect(() => readFragment(`#tg_passport=success&passport_data=${clear}`)).toThrow(
			DeliveryFormatError
		);
		expect(() => readFragmentPayload(new TextEncoder().encode('[1,2]'))).toThrow(
			DeliveryFormatError
		);
	});
});
