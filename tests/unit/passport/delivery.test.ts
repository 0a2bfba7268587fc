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
	readFragment
} from '../../../src/lib/passport/delivery';
import { parseConsentRequest } from '../../../src/lib/passport/request';
import { ScanShelf, allElements, consentQuery } from './helpers';

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
	it('replaces the callback fragment with base64url JSON, and reads back', async () => {
		const { request, passportData, files } = await built();
		const url = encodeFragmentUrl({ callbackUrl: request.callbackUrl, passportData, files });
		expect(url.startsWith('https://s.example/cb?x=1#tg_passport=success&passport_data=')).toBe(
			true
		);
		const encoded = url.slice(url.indexOf('passport_data=') + 'passport_data='.length);
		expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
		const json = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
		expect(Object.keys(json)).toEqual(['passport_data', 'files']);
		expect(json.passport_data).toEqual(passportData);
		const outcome = readFragment(new URL(url).hash);
		expect(outcome).toEqual({ status: 'success', passportData, files });
	});

	it('refuses, with a typed error, a response over 1.5 MB', async () => {
		const { request, passportData, files } = await built(1_200_000);
		let error: unknown;
		try {
			encodeFragmentUrl({ callbackUrl: request.callbackUrl, passportData, files });
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
		const url = encodeFragmentUrl({ callbackUrl: request.callbackUrl, passportData, files });
		expect(url.length).toBeLessThanOrEqual(MAX_FRAGMENT_LENGTH);
		expect(() =>
			encodeFragmentUrl({
				callbackUrl: request.callbackUrl,
				passportData,
				files,
				maxLength: url.length - 1
			})
		).toThrow(FragmentTooLargeError);
	});

	it('reads cancel, and refuses a fragment that is not base64url JSON', () => {
		expect(readFragment('#tg_passport=cancel')).toEqual({ status: 'cancel' });
		expect(() => readFragment('#tg_passport=success&passport_data=%%%')).toThrow(
			DeliveryFormatError
		);
		const notObject = Buffer.from('[1,2]').toString('base64url');
		expect(() => readFragment(`#tg_passport=success&passport_data=${notObject}`)).toThrow(
			DeliveryFormatError
		);
	});
});
