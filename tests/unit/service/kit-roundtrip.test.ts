import { describe, expect, it } from 'vitest';
import { buildPassportData } from '../../../src/lib/passport/build-response';
import { encodeFormPost, encodeFragmentUrl } from '../../../src/lib/passport/delivery';
import { parseConsentRequest, type ConsentRequest } from '../../../src/lib/passport/request';
import type { ElementType } from '../../../src/lib/passport/types';
import { ELEMENT_TYPES } from '../../../src/lib/passport/types';
import {
	DeliveryError,
	createNonceStore,
	decryptDelivery,
	decryptPassportData,
	type DecryptedPassport
} from '../../../src/lib/service';
import {
	ADDRESS,
	PERSONAL,
	ScanShelf,
	allElements,
	consentQuery,
	makeKeys,
	sharedKeys
} from '../passport/helpers';

function requestFor(scope: unknown, extra: Record<string, string | null> = {}): ConsentRequest {
	const parsed = parseConsentRequest({
		query: consentQuery({ scope: JSON.stringify(scope), ...extra })
	});
	if (!parsed.ok) throw new Error(parsed.code);
	return parsed.request;
}

/** Every type with every scan it can carry: selfie and translation asked wherever allowed. */
const EVERYTHING = {
	v: 1,
	data: [
		{ type: 'personal_details', native_names: true },
		{ type: 'passport', selfie: true, translation: true },
		{ type: 'internal_passport', selfie: true, translation: true },
		{ type: 'driver_license', selfie: true, translation: true },
		{ type: 'identity_card', selfie: true, translation: true },
		'address',
		{ type: 'utility_bill', translation: true },
		{ type: 'bank_statement', translation: true },
		{ type: 'rental_agreement', translation: true },
		{ type: 'passport_registration', translation: true },
		{ type: 'temporary_registration', translation: true },
		'phone_number',
		'email'
	]
};

async function deliverEverything() {
	const shelf = new ScanShelf();
	const elements = allElements(shelf);
	const request = requestFor(EVERYTHING);
	const built = await buildPassportData({ request, elements, readScan: shelf.readScan });
	return { shelf, elements, request, built, fields: encodeFormPost(built) };
}

function expectScans(passport: DecryptedPassport, shelf: ScanShelf, type: ElementType) {
	const element = passport.byType[type]!;
	const check = (file: { bytes?: Uint8Array } | undefined, scanId: string) =>
		expect(Buffer.from(file!.bytes!).equals(shelf.scans.get(scanId)!), `${type} ${scanId}`).toBe(
			true
		);
	if (element.front_side) check(element.front_side, `${type}-front`);
	if (element.reverse_side) check(element.reverse_side, `${type}-reverse`);
	if (element.selfie) check(element.selfie, `${type}-selfie`);
	element.files?.forEach((file, index) => check(file, `${type}-f${index}`));
	element.translation?.forEach((file, index) => check(file, `${type}-tr${index}`));
}

describe('the service kit decrypts what the wallet builds', () => {
	it('for every element type, every scan, by form_post', async () => {
		const { shelf, fields } = await deliverEverything();
		const outcome = await decryptDelivery({
			privateKey: sharedKeys().pkcs8Pem,
			fields,
			expectedNonce: 'nonce-1'
		});
		expect(outcome.status).toBe('success');
		if (outcome.status !== 'success') return;
		const { passport } = outcome;
		expect(passport.nonce).toBe('nonce-1');
		const scopeOrder = EVERYTHING.data.map((item) => (typeof item === 'string' ? item : item.type));
		expect(passport.elements.map((element) => element.type)).toEqual(scopeOrder);
		expect([...scopeOrder].sort()).toEqual([...ELEMENT_TYPES].sort());
		expect(passport.byType.personal_details!.data).toEqual(PERSONAL);
		expect(passport.byType.address!.data).toEqual(ADDRESS);
		expect(passport.byType.passport!.data).toEqual({ document_no: 'P1234567', expiry_date: '' });
		expect(passport.byType.internal_passport!.data).toEqual({
			document_no: 'IP765',
			expiry_date: ''
		});
		expect(passport.byType.driver_license!.data).toEqual({
			document_no: 'DL-42',
			expiry_date: '01.01.2030'
		});
		expect(passport.byType.identity_card!.data).toEqual({
			document_no: 'ID-99',
			expiry_date: '01.01.2030'
		});
		expect(passport.byType.phone_number!.phone_number).toBe('33612345678');
		expect(passport.byType.email!.email).toBe('marie@example.org');
		for (const type of ELEMENT_TYPES) expectScans(passport, shelf, type);
		expect(passport.byType.passport!.reverse_side).toBeUndefined();
		expect(passport.byType.driver_license!.reverse_side).toBeDefined();
		expect(passport.byType.bank_statement!.files).toHaveLength(2);
		expect(passport.byType.bank_statement!.translation).toHaveLength(1);
		// Some 50 blobs encrypted and decrypted: about a second idle, past Vitest's default 5 s when
		// the machine is busy (it failed so beside the kit-package build); a bound, not a clock.
	}, 60_000);

	it('by fragment, with a PKCS#1 private key', async () => {
		const shelf = new ScanShelf();
		const request = requestFor(
			{ v: 1, d: [{ _: 'ic', s: 1 }, 'pn'] },
			{ response_mode: 'fragment' }
		);
		const built = await buildPassportData({
			request,
			elements: allElements(shelf),
			readScan: shelf.readScan
		});
		const url = await encodeFragmentUrl({
			callbackUrl: request.callbackUrl,
			publicKey: request.publicKey.spki,
			...built
		});
		const outcome = await decryptDelivery({
			privateKey: sharedKeys().pkcs1PrivatePem,
			fragment: new URL(url).hash,
			expectedNonce: 'nonce-1'
		});
		expect(outcome.status === 'success' && outcome.passport.byType.identity_card!.data).toEqual({
			document_no: 'ID-99',
			expiry_date: '01.01.2030'
		});
		if (outcome.status === 'success') expectScans(outcome.passport, shelf, 'identity_card');
	});

	it('for a legacy request, exposing the payload', async () => {
		const shelf = new ScanShelf();
		const request = requestFor(['email'], { nonce: null, payload: 'order-7' });
		const built = await buildPassportData({
			request,
			elements: allElements(shelf),
			readScan: shelf.readScan
		});
		const passport = await decryptPassportData({
			privateKey: sharedKeys().pkcs8Pem,
			...built,
			expectedNonce: 'order-7'
		});
		expect(passport.payload).toBe('order-7');
		expect(passport.nonce).toBe('order-7');
	});

	it('passes cancel and error returns through', async () => {
		const privateKey = sharedKeys().pkcs8Pem;
		const expectedNonce = 'nonce-1';
		expect(
			await decryptDelivery({ privateKey, fields: { tg_passport: 'cancel' }, expectedNonce })
		).toEqual({
			status: 'cancel'
		});
		expect(
			await decryptDelivery({
				privateKey,
				fragment: '#tg_passport=error&error=BOT_INVALID',
				expectedNonce
			})
		).toEqual({
			status: 'error',
			code: 'BOT_INVALID'
		});
	});
});

describe('the service kit refuses', () => {
	async function refusal(promise: Promise<unknown>): Promise<string> {
		try {
			await promise;
		} catch (error) {
			expect(error).toBeInstanceOf(DeliveryError);
			return (error as DeliveryError).code;
		}
		throw new Error('expected a refusal');
	}

	function edit(
		fields: [string, string][],
		name: string,
		change: (value: string) => string
	): [string, string][] {
		return fields.map(([key, value]) => [key, key === name ? change(value) : value]);
	}

	function editPassportData(
		fields: [string, string][],
		change: (data: any) => void
	): [string, string][] {
		return edit(fields, 'passport_data', (value) => {
			const data = JSON.parse(value);
			change(data);
			return JSON.stringify(data);
		});
	}

	const flipBase64 = (value: string) => {
		const bytes = Buffer.from(value, 'base64');
		bytes[bytes.length - 1] ^= 1;
		return bytes.toString('base64');
	};

	it('a wrong credentials hash', async () => {
		const { fields } = await deliverEverything();
		const tampered = editPassportData(
			fields,
			(data) => (data.credentials.hash = 'bm90Y29ycmVjdGhhc2g=')
		);
		expect(
			await refusal(
				decryptDelivery({
					privateKey: sharedKeys().pkcs8Pem,
					fields: tampered,
					expectedNonce: 'nonce-1'
				})
			)
		).toBe('HASH_MISMATCH');
	});

	it('altered element data, an altered file, a swapped file', async () => {
		const { fields, built } = await deliverEverything();
		const privateKey = sharedKeys().pkcs8Pem;
		const data = editPassportData(
			fields,
			(passportData) => (passportData.data[0].data = flipBase64(passportData.data[0].data))
		);
		expect(
			await refusal(decryptDelivery({ privateKey, fields: data, expectedNonce: 'nonce-1' }))
		).toBe('HASH_MISMATCH');

		const selfieId = built.passportData.data[1].selfie!.file_id;
		const file = edit(fields, `file_${selfieId}`, flipBase64);
		expect(
			await refusal(decryptDelivery({ privateKey, fields: file, expectedNonce: 'nonce-1' }))
		).toBe('HASH_MISMATCH');

		const frontId = built.passportData.data[1].front_side!.file_id;
		const frontField = fields.find(([name]) => name === `file_${frontId}`)![1];
		const swapped = edit(fields, `file_${selfieId}`, () => frontField);
		expect(
			await refusal(decryptDelivery({ privateKey, fields: swapped, expectedNonce: 'nonce-1' }))
		).toBe('HASH_MISMATCH');
	});

	it('an element hash that does not match its parts, or a changed phone number', async () => {
		const { fields } = await deliverEverything();
		const privateKey = sharedKeys().pkcs8Pem;
		const hash = editPassportData(fields, (data) => (data.data[1].hash = data.data[2].hash));
		expect(
			await refusal(decryptDelivery({ privateKey, fields: hash, expectedNonce: 'nonce-1' }))
		).toBe('HASH_MISMATCH');
		const phone = editPassportData(fields, (data) => (data.data[11].phone_number = '33699999999'));
		expect(
			await refusal(decryptDelivery({ privateKey, fields: phone, expectedNonce: 'nonce-1' }))
		).toBe('HASH_MISMATCH');
	});

	it('a missing file and a stray file', async () => {
		const { fields, built } = await deliverEverything();
		const privateKey = sharedKeys().pkcs8Pem;
		const selfieId = built.passportData.data[1].selfie!.file_id;
		const missing = fields.filter(([name]) => name !== `file_${selfieId}`);
		expect(
			await refusal(decryptDelivery({ privateKey, fields: missing, expectedNonce: 'nonce-1' }))
		).toBe('FILE_MISSING');
		const stray: [string, string][] = [...fields, ['file_extra', 'AAAA']];
		expect(
			await refusal(decryptDelivery({ privateKey, fields: stray, expectedNonce: 'nonce-1' }))
		).toBe('DELIVERY_MALFORMED');
	});

	it('the wrong private key', async () => {
		const { fields } = await deliverEverything();
		const other = makeKeys();
		expect(
			await refusal(
				decryptDelivery({ privateKey: other.pkcs8Pem, fields, expectedNonce: 'nonce-1' })
			)
		).toBe('CREDENTIALS_UNREADABLE');
	});

	it('a nonce other than the one expected', async () => {
		const { fields } = await deliverEverything();
		const privateKey = sharedKeys().pkcs8Pem;
		expect(await refusal(decryptDelivery({ privateKey, fields, expectedNonce: 'nonce-2' }))).toBe(
			'NONCE_MISMATCH'
		);
	});

	it('a nonce used twice, and one it never issued', async () => {
		const nonces = createNonceStore();
		const nonce = nonces.issue('session-1');
		const consumeNonce = (delivered: string) => nonces.redeem(delivered, 'session-1');
		const shelf = new ScanShelf();
		const request = requestFor({ v: 1, d: ['em'] }, { nonce });
		const built = await buildPassportData({
			request,
			elements: allElements(shelf),
			readScan: shelf.readScan
		});
		const fields = encodeFormPost(built);
		const privateKey = sharedKeys().pkcs8Pem;
		const first = await decryptDelivery({ privateKey, fields, consumeNonce });
		expect(first.status).toBe('success');
		expect(await refusal(decryptDelivery({ privateKey, fields, consumeNonce }))).toBe(
			'NONCE_REUSED'
		);

		const foreign = requestFor({ v: 1, d: ['em'] }, { nonce: 'made-up' });
		const foreignBuilt = await buildPassportData({
			request: foreign,
			elements: allElements(shelf),
			readScan: shelf.readScan
		});
		expect(
			await refusal(
				decryptDelivery({
					privateKey,
					fields: encodeFormPost(foreignBuilt),
					consumeNonce
				})
			)
		).toBe('NONCE_REUSED');
	});

	it('does not burn a nonce on a delivery that fails its checks', async () => {
		const nonces = createNonceStore();
		const nonce = nonces.issue('session-1');
		const consumeNonce = (delivered: string) => nonces.redeem(delivered, 'session-1');
		const shelf = new ScanShelf();
		const request = requestFor({ v: 1, d: ['pd'] }, { nonce });
		const built = await buildPassportData({
			request,
			elements: allElements(shelf),
			readScan: shelf.readScan
		});
		const fields = encodeFormPost(built);
		const privateKey = sharedKeys().pkcs8Pem;
		const tampered = editPassportData(
			fields,
			(data) => (data.data[0].data = flipBase64(data.data[0].data))
		);
		expect(await refusal(decryptDelivery({ privateKey, fields: tampered, consumeNonce }))).toBe(
			'HASH_MISMATCH'
		);
		expect((await decryptDelivery({ privateKey, fields, consumeNonce })).status).toBe('success');
	});

	it('malformed deliveries', async () => {
		const privateKey = sharedKeys().pkcs8Pem;
		const expectedNonce = 'nonce-1';
		expect(
			await refusal(
				decryptDelivery({ privateKey, fields: { tg_passport: 'success' }, expectedNonce })
			)
		).toBe('DELIVERY_MALFORMED');
		expect(
			await refusal(
				decryptDelivery({
					privateKey,
					fields: { tg_passport: 'success', passport_data: '{"data":[],"credentials":{}}' },
					expectedNonce
				})
			)
		).toBe('DELIVERY_MALFORMED');
		expect(
			await refusal(
				decryptDelivery({
					privateKey,
					fragment: '#tg_passport=success&passport_data=e30',
					expectedNonce
				})
			)
		).toBe('DELIVERY_MALFORMED');
	});
});

describe('nonce store', () => {
	it('accepts each issued nonce once, and forgets them after their time', () => {
		let now = 1000;
		const store = createNonceStore({ ttlMs: 100, now: () => now });
		const a = store.issue('s');
		const b = store.issue('s');
		expect(a).not.toBe(b);
		expect(store.consume(a, 's')).toBe(true);
		expect(store.consume(a, 's')).toBe(false);
		now += 101;
		expect(store.consume(b, 's')).toBe(false);
		expect(store.consume('never-issued', 's')).toBe(false);
	});

	it('stays bounded', () => {
		const store = createNonceStore({ maxEntries: 10 });
		const first = store.issue('s');
		for (let i = 0; i < 50; i++) store.issue('s');
		expect(store.size).toBeLessThanOrEqual(10);
		expect(store.consume(first, 's')).toBe(false);
	});
});
