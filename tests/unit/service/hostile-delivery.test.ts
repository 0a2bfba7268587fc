/**
 * A stranger's deliveries (issue 9): the service's public key is in every consent link, so anyone
 * can encrypt a delivery to it. Each one here is well encrypted and well hashed; only its content
 * lies. The kit must refuse each with a DeliveryError whose code a service can act on, and never
 * hand out a value that breaks the Bot API types.
 */

import { describe, expect, it } from 'vitest';
import { encodeFormPost } from '../../../src/lib/passport/delivery';
import {
	DeliveryError,
	createNonceStore,
	decryptDelivery,
	decryptPassportData
} from '../../../src/lib/service';
import { createPublicKey } from 'node:crypto';
import { encryptBlob } from '../../../src/lib/passport/blob-crypto';
import { rsaOaepEncrypt } from '../../../src/lib/passport/rsa-oaep';
import { makeKeys, sharedKeys } from '../passport/helpers';
import { VALID_DATA, forge, seal, servicePublicKey, type ForgedElement } from './forge';

const privateKey = () => sharedKeys().pkcs8Pem;

async function refusal(attempt: () => Promise<unknown>): Promise<string> {
	let outcome: unknown;
	try {
		outcome = await attempt();
	} catch (error) {
		expect(error, String(error)).toBeInstanceOf(DeliveryError);
		return (error as DeliveryError).code;
	}
	throw new Error(`accepted: ${JSON.stringify(outcome)}`);
}

/** Through the real wire format (form_post fields), with a nonce the service expects. */
function deliver(forged: { passportData: unknown; files: Record<string, Uint8Array> }) {
	return decryptDelivery({
		privateKey: privateKey(),
		fields: encodeFormPost(forged as never),
		expectedNonce: 'n-1'
	});
}

const personal = (data: unknown): ForgedElement => ({ type: 'personal_details', data });

describe('a stranger cannot skip the nonce check', () => {
	it('decrypt without an expected nonce or a nonce store is a programming error', async () => {
		const forged = await forge({
			nonce: 'never-issued',
			elements: [{ type: 'email', email: 'a@b.example' }]
		});
		const fields = encodeFormPost(forged);
		for (const call of [
			// @ts-expect-error: the types require a nonce check
			() => decryptDelivery({ privateKey: privateKey(), fields }),
			// @ts-expect-error: the types require a nonce check
			() => decryptPassportData({ privateKey: privateKey(), ...forged }),
			// A JS caller passing an empty value is no better.
			() => decryptDelivery({ privateKey: privateKey(), fields, expectedNonce: '' }),
			() =>
				decryptDelivery({
					privateKey: privateKey(),
					fields,
					consumeNonce: 'yes' as never
				})
		]) {
			await expect(call()).rejects.toThrow(TypeError);
		}
	});

	it('a never-issued nonce, and a replayed one, are refused by the store', async () => {
		const nonces = createNonceStore();
		const issued = nonces.issue('session-a');
		const consumeNonce = (nonce: string) => nonces.redeem(nonce, 'session-a');
		const stranger = await forge({
			nonce: 'never-issued',
			elements: [{ type: 'email', email: 'a@b.example' }]
		});
		expect(
			await refusal(() =>
				decryptDelivery({
					privateKey: privateKey(),
					fields: encodeFormPost(stranger),
					consumeNonce
				})
			)
		).toBe('NONCE_REUSED');
		const genuine = await forge({
			nonce: issued,
			elements: [{ type: 'email', email: 'a@b.example' }]
		});
		const fields = encodeFormPost(genuine);
		expect((await decryptDelivery({ privateKey: privateKey(), fields, consumeNonce })).status).toBe(
			'success'
		);
		expect(
			await refusal(() => decryptDelivery({ privateKey: privateKey(), fields, consumeNonce }))
		).toBe('NONCE_REUSED');
	});

	it('a nonce issued to another session is refused, and stays usable by its own', async () => {
		const nonces = createNonceStore();
		const attackers = nonces.issue('attacker-session');
		const forged = await forge({
			nonce: attackers,
			elements: [{ type: 'email', email: 'v@b.example' }]
		});
		const fields = encodeFormPost(forged);
		expect(
			await refusal(() =>
				decryptDelivery({
					privateKey: privateKey(),
					fields,
					consumeNonce: (nonce) => nonces.redeem(nonce, 'victim-session')
				})
			)
		).toBe('NONCE_OTHER_SESSION');
		expect(nonces.consume(attackers, 'attacker-session')).toBe(true);
	});

	it('a nonce that is not a string, or a legacy payload that differs from it', async () => {
		for (const edit of [
			(credentials: any) => (credentials.nonce = 12),
			(credentials: any) => (credentials.nonce = { $ne: null }),
			(credentials: any) => (credentials.payload = 'other')
		]) {
			const forged = await forge({
				nonce: 'n-1',
				elements: [{ type: 'email', email: 'a@b.example' }],
				editCredentials: edit
			});
			expect(await refusal(() => deliver(forged))).toMatch(/DELIVERY_MALFORMED|NONCE_MISMATCH/);
		}
	});
});

describe('decrypted values must have the Bot API types', () => {
	const spoiled: [string, ForgedElement][] = [
		[
			'an object and a number (the issue’s example)',
			personal({ first_name: { $ne: null }, birth_date: 12 })
		],
		[
			'an object for a name',
			personal({ ...VALID_DATA.personal_details, first_name: { $ne: null } })
		],
		['a number for a birth date', personal({ ...VALID_DATA.personal_details, birth_date: 12 })],
		['an ISO birth date', personal({ ...VALID_DATA.personal_details, birth_date: '1867-11-07' })],
		[
			'an impossible birth date',
			personal({ ...VALID_DATA.personal_details, birth_date: '31.02.1990' })
		],
		['an unknown gender', personal({ ...VALID_DATA.personal_details, gender: 'admin' })],
		['a 3-letter country', personal({ ...VALID_DATA.personal_details, country_code: 'FRA' })],
		[
			'a lower-case country',
			personal({ ...VALID_DATA.personal_details, residence_country_code: 'fr' })
		],
		['a missing last name', personal({ ...VALID_DATA.personal_details, last_name: undefined })],
		['an extra key', personal({ ...VALID_DATA.personal_details, is_admin: 'true' })],
		['a control character', personal({ ...VALID_DATA.personal_details, first_name: 'Ma\nrie' })],
		[
			'a 100 kB name',
			personal({ ...VALID_DATA.personal_details, first_name: 'M'.repeat(100_000) })
		],
		['an array for data', personal([VALID_DATA.personal_details])],
		['null for data', personal(null)],
		[
			'a number for a document number',
			{ type: 'passport', data: { document_no: 7, expiry_date: '' }, front_side: true }
		],
		[
			'a bad expiry date',
			{ type: 'passport', data: { ...VALID_DATA.passport, expiry_date: 'never' }, front_side: true }
		],
		[
			'an array for a street',
			{ type: 'address', data: { ...VALID_DATA.address, street_line1: ['a', 'b'] } }
		],
		[
			'a country code for an address in digits',
			{ type: 'address', data: { ...VALID_DATA.address, country_code: '33' } }
		],
		['a phone number as a number', { type: 'phone_number', phone_number: 33612345678 }],
		['a phone number with letters', { type: 'phone_number', phone_number: '3361234abcd' }],
		['an email as an object', { type: 'email', email: { $gt: '' } }],
		['an email without @', { type: 'email', email: 'nobody' }]
	];

	it.each(spoiled)('refuses %s', async (_name, element) => {
		const code = await refusal(async () =>
			deliver(await forge({ nonce: 'n-1', elements: [element] }))
		);
		expect(code).toMatch(/^(DATA_INVALID|DELIVERY_MALFORMED|DELIVERY_TOO_LARGE)$/);
	});

	it('and accepts the same elements when they are right', async () => {
		const outcome = await deliver(
			await forge({
				nonce: 'n-1',
				elements: [
					personal(VALID_DATA.personal_details),
					{ type: 'passport', data: VALID_DATA.passport, front_side: true, selfie: true },
					{ type: 'address', data: VALID_DATA.address },
					{ type: 'utility_bill', files: 2, translation: 1 },
					{ type: 'phone_number', phone_number: '33612345678' },
					{ type: 'email', email: 'marie@example.org' }
				]
			})
		);
		expect(outcome.status === 'success' && outcome.passport.byType.personal_details!.data).toEqual(
			VALID_DATA.personal_details
		);
	});
});

describe('the outer PassportData and credentials must have their shapes', () => {
	type Edit = (forged: any) => void;
	const editedCases: [string, ForgedElement[], Edit][] = [
		[
			'an extra key on PassportData',
			[{ type: 'email', email: 'a@b.example' }],
			(f) => (f.passportData.extra = 1)
		],
		[
			'an extra key on an element',
			[{ type: 'email', email: 'a@b.example', extra: { role: 'admin' } }],
			() => {}
		],
		[
			'an extra key on a file',
			[{ type: 'utility_bill', files: 1 }],
			(f) => (f.passportData.data[0].files[0].owner = 'me')
		],
		[
			'an extra key on the credentials',
			[{ type: 'email', email: 'a@b.example' }],
			(f) => (f.passportData.credentials.more = 'x')
		],
		[
			'a number for a file id',
			[{ type: 'utility_bill', files: 1 }],
			(f) => (f.passportData.data[0].files[0].file_id = 5)
		],
		[
			'a string for a file size',
			[{ type: 'utility_bill', files: 1 }],
			(f) => (f.passportData.data[0].files[0].file_size = '300')
		],
		[
			'a file list that is an object',
			[{ type: 'utility_bill', files: 1 }],
			(f) => (f.passportData.data[0].files = { 0: f.passportData.data[0].files[0] })
		],
		[
			'a missing element hash',
			[{ type: 'address', data: VALID_DATA.address }],
			(f) => delete f.passportData.data[0].hash
		],
		[
			'a hash of the wrong length',
			[{ type: 'email', email: 'a@b.example' }],
			(f) => (f.passportData.data[0].hash = 'AAAA')
		],
		[
			'a part the type cannot have (selfie on an address)',
			[{ type: 'address', data: VALID_DATA.address, selfie: true }],
			() => {}
		],
		[
			'files on personal details',
			[{ type: 'personal_details', data: VALID_DATA.personal_details, files: 1 }],
			() => {}
		],
		['an unknown element type', [{ type: 'bank_account', files: 1 }], () => {}],
		[
			'the same type twice',
			[
				{ type: 'email', email: 'a@b.example' },
				{ type: 'email', email: 'c@d.example' }
			],
			() => {}
		],
		['no elements at all', [], () => {}],
		['21 files in one list', [{ type: 'utility_bill', files: 21 }], () => {}],
		[
			'a 2 MB element data blob',
			[{ type: 'address', data: { ...VALID_DATA.address, city: 'x'.repeat(2_000_000) } }],
			() => {}
		]
	];

	it.each(editedCases)('refuses %s', async (_name, elements, edit) => {
		const forged = await forge({ nonce: 'n-1', elements });
		edit(forged);
		const code = await refusal(() => deliver(forged));
		// HASH_MISMATCH only for the missing element hash: every other hash here is right.
		expect(code).toMatch(/^(DELIVERY_MALFORMED|DELIVERY_TOO_LARGE|DATA_INVALID|HASH_MISMATCH)$/);
	});

	const credentialCases: [string, ForgedElement[], (credentials: any) => void][] = [
		[
			'a missing file hash',
			[{ type: 'utility_bill', files: 1 }],
			(c) => delete c.secure_data.utility_bill.files[0].file_hash
		],
		[
			'a missing data hash',
			[{ type: 'address', data: VALID_DATA.address }],
			(c) => delete c.secure_data.address.data.data_hash
		],
		[
			'a file list shorter than its credentials',
			[{ type: 'utility_bill', files: 2 }],
			(c) => c.secure_data.utility_bill.files.push(c.secure_data.utility_bill.files[0])
		],
		[
			'credentials for an element never sent',
			[{ type: 'email', email: 'a@b.example' }],
			(c) => (c.secure_data.passport = { data: { data_hash: 'x', secret: 'y' } })
		],
		[
			'an extra key in the credentials JSON',
			[{ type: 'email', email: 'a@b.example' }],
			(c) => (c.admin = true)
		],
		[
			'an extra key in a file credential',
			[{ type: 'utility_bill', files: 1 }],
			(c) => (c.secure_data.utility_bill.files[0].note = 'x')
		],
		[
			'secure_data as an array',
			[{ type: 'email', email: 'a@b.example' }],
			(c) => (c.secure_data = [])
		]
	];

	it.each(credentialCases)('refuses %s', async (_name, elements, edit) => {
		const forged = await forge({ nonce: 'n-1', elements, editCredentials: edit });
		const code = await refusal(() => deliver(forged));
		expect(code).toMatch(/^(DELIVERY_MALFORMED|DATA_INVALID)$/);
	});

	it('refuses credentials that are JSON but not an object, sealed to the right key', async () => {
		const forged = await forge({
			nonce: 'n-1',
			elements: [{ type: 'email', email: 'a@b.example' }]
		});
		forged.passportData.credentials = await seal(['secure_data', 'nonce']);
		expect(await refusal(() => deliver(forged))).toBe('DELIVERY_MALFORMED');
	});

	it('refuses a file list whose order differs from its credentials (Bot API style, no bytes)', async () => {
		const forged = await forge({
			nonce: 'n-1',
			elements: [{ type: 'utility_bill', files: 2 }],
			editCredentials: (c) => c.secure_data.utility_bill.files.reverse()
		});
		const code = await refusal(() =>
			decryptPassportData({
				privateKey: privateKey(),
				passportData: forged.passportData,
				expectedNonce: 'n-1'
			})
		);
		expect(code).toBe('HASH_MISMATCH');
	});

	it.each([
		['a second passport_data', (fields: [string, string][]) => [...fields, fields[1]]],
		[
			'a second tg_passport',
			(fields: [string, string][]) => [...fields, ['tg_passport', 'cancel']]
		],
		[
			'a field the wallet never sends',
			(fields: [string, string][]) => [...fields, ['role', 'admin']]
		]
	] as const)('refuses a form with %s', async (_name, edit) => {
		const forged = await forge({
			nonce: 'n-1',
			elements: [{ type: 'email', email: 'a@b.example' }]
		});
		const fields = edit(encodeFormPost(forged)) as [string, string][];
		const code = await refusal(() =>
			decryptDelivery({ privateKey: privateKey(), fields, expectedNonce: 'n-1' })
		);
		expect(code).toBe('DELIVERY_MALFORMED');
	});

	it('refuses more file fields than any passport can carry, before decoding them', async () => {
		const forged = await forge({
			nonce: 'n-1',
			elements: [{ type: 'email', email: 'a@b.example' }]
		});
		const fields = encodeFormPost(forged);
		for (let index = 0; index < 1000; index++) fields.push([`file_x${index}`, 'AAAA']);
		const code = await refusal(() =>
			decryptDelivery({ privateKey: privateKey(), fields, expectedNonce: 'n-1' })
		);
		expect(code).toMatch(/^(DELIVERY_TOO_LARGE|DELIVERY_MALFORMED)$/);
	});
});

describe('a stranger’s fragment', () => {
	/** Seals any payload to the service key, as the wallet seals the fragment. */
	async function fragmentOf(payload: unknown, spki = servicePublicKey()) {
		const blob = await encryptBlob(new TextEncoder().encode(JSON.stringify(payload)));
		const secret = await rsaOaepEncrypt({ spki, data: blob.secret });
		const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
		return `#tg_passport=success&data=${b64url(blob.ciphertext)}&hash=${b64url(blob.hash)}&secret=${b64url(secret)}`;
	}
	const open = (fragment: string) =>
		decryptDelivery({ privateKey: privateKey(), fragment, expectedNonce: 'n-1' });

	it('with wrong types inside the sealed payload', async () => {
		const forged = await forge({
			nonce: 'n-1',
			elements: [personal({ ...VALID_DATA.personal_details, birth_date: 12 })]
		});
		const files = {};
		expect(
			await refusal(async () =>
				open(await fragmentOf({ passport_data: forged.passportData, files }))
			)
		).toBe('DATA_INVALID');
		expect(
			await refusal(async () =>
				open(await fragmentOf({ passport_data: forged.passportData, files, more: 1 }))
			)
		).toBe('DELIVERY_MALFORMED');
	});

	it('sealed to another key, or in the readable format of before', async () => {
		const other = new Uint8Array(
			createPublicKey(makeKeys().spkiPem).export({ type: 'spki', format: 'der' })
		);
		const forged = await forge({
			nonce: 'n-1',
			elements: [{ type: 'email', email: 'a@b.example' }]
		});
		expect(
			await refusal(async () =>
				open(await fragmentOf({ passport_data: forged.passportData, files: {} }, other))
			)
		).toBe('CREDENTIALS_UNREADABLE');
		const clear = Buffer.from(
			JSON.stringify({ passport_data: forged.passportData, files: {} })
		).toString('base64url');
		expect(await refusal(() => open(`#tg_passport=success&passport_data=${clear}`))).toBe(
			'DELIVERY_MALFORMED'
		);
	});

	it('larger than any URL the wallet makes, before decoding it', async () => {
		const huge = `#tg_passport=success&data=${'A'.repeat(2_000_000)}&hash=AA&secret=AA`;
		expect(await refusal(() => open(huge))).toBe('DELIVERY_TOO_LARGE');
	});
});
