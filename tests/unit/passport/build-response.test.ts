import { constants, createDecipheriv, createHash, privateDecrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildPassportData, PassportBuildError } from '../../../src/lib/passport/build-response';
import type { Credentials } from '../../../src/lib/passport/passport-data';
import { parseConsentRequest, type ConsentRequest } from '../../../src/lib/passport/request';
import type { ElementType, StoredElement } from '../../../src/lib/passport/types';
import { ADDRESS, PERSONAL, ScanShelf, allElements, consentQuery, sharedKeys } from './helpers';

function requestFor(scope: unknown, extra: Record<string, string | null> = {}): ConsentRequest {
	const result = parseConsentRequest({
		query: consentQuery({ scope: JSON.stringify(scope), ...extra })
	});
	if (!result.ok) throw new Error(result.code);
	return result.request;
}

/** Telegram's decryption steps with node:crypto, independent of the code under test. */
function open(data: string | Buffer, secret: string | Buffer, hash: string | Buffer): Buffer {
	const bytes = (value: string | Buffer) =>
		typeof value === 'string' ? Buffer.from(value, 'base64') : value;
	const digest = createHash('sha512').update(bytes(secret)).update(bytes(hash)).digest();
	const decipher = createDecipheriv('aes-256-cbc', digest.subarray(0, 32), digest.subarray(32, 48));
	decipher.setAutoPadding(false);
	const padded = Buffer.concat([decipher.update(bytes(data)), decipher.final()]);
	expect(createHash('sha256').update(padded).digest().equals(bytes(hash))).toBe(true);
	return padded.subarray(padded[0]);
}

function openCredentials(credentials: { data: string; hash: string; secret: string }): Credentials {
	const secret = privateDecrypt(
		{ key: sharedKeys().pkcs8Pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
		Buffer.from(credentials.secret, 'base64')
	);
	return JSON.parse(open(credentials.data, secret, credentials.hash).toString('utf8'));
}

describe('buildPassportData', () => {
	const shelf = new ScanShelf();
	const elements = allElements(shelf);

	it('shapes PassportData exactly as the Bot API does', async () => {
		const request = requestFor({
			v: 1,
			data: [
				{ type: 'personal_details', native_names: true },
				{ type: 'id_document', selfie: true, translation: true },
				{ type: 'address_document' },
				'address',
				'phone_number',
				'email'
			]
		});
		const built = await buildPassportData({
			request,
			choices: [undefined, 'driver_license', 'bank_statement'],
			elements,
			readScan: shelf.readScan
		});
		const { passportData, files } = built;
		expect(Object.keys(passportData)).toEqual(['data', 'credentials']);
		expect(Object.keys(passportData.credentials)).toEqual(['data', 'hash', 'secret']);
		expect(passportData.data.map((element) => element.type)).toEqual([
			'personal_details',
			'driver_license',
			'bank_statement',
			'address',
			'phone_number',
			'email'
		]);
		const [personal, licence, statement, address, phone, email] = passportData.data;
		expect(Object.keys(personal)).toEqual(['type', 'data', 'hash']);
		expect(Object.keys(licence)).toEqual([
			'type',
			'data',
			'front_side',
			'reverse_side',
			'selfie',
			'translation',
			'hash'
		]);
		expect(Object.keys(statement)).toEqual(['type', 'files', 'hash']);
		expect(Object.keys(address)).toEqual(['type', 'data', 'hash']);
		expect(phone).toEqual({
			type: 'phone_number',
			phone_number: '33612345678',
			hash: createHash('sha256').update('33612345678').digest('base64')
		});
		expect(email).toEqual({
			type: 'email',
			email: 'marie@example.org',
			hash: createHash('sha256').update('marie@example.org').digest('base64')
		});
		expect(Object.keys(licence.front_side!)).toEqual([
			'file_id',
			'file_unique_id',
			'file_size',
			'file_date'
		]);
		expect(licence.front_side!.file_date).toBe(1_700_000_000);
		expect(licence.translation).toHaveLength(2);
		expect(statement.files).toHaveLength(2);

		// Every file is delivered, with file_size = encrypted length.
		const passportFiles = [
			licence.front_side!,
			licence.reverse_side!,
			licence.selfie!,
			...licence.translation!,
			...statement.files!
		];
		expect(Object.keys(files).sort()).toEqual(passportFiles.map((file) => file.file_id).sort());
		for (const file of passportFiles) expect(files[file.file_id].length).toBe(file.file_size);

		const credentials = openCredentials(passportData.credentials);
		expect(Object.keys(credentials)).toEqual(['secure_data', 'nonce']);
		expect(credentials.nonce).toBe('nonce-1');
		expect(Object.keys(credentials.secure_data)).toEqual([
			'personal_details',
			'driver_license',
			'bank_statement',
			'address'
		]);
		const licenceCredentials = credentials.secure_data.driver_license!;
		expect(Object.keys(licenceCredentials)).toEqual([
			'data',
			'front_side',
			'reverse_side',
			'selfie',
			'translation'
		]);

		const personalData = JSON.parse(
			open(
				personal.data!,
				credentials.secure_data.personal_details!.data!.secret,
				credentials.secure_data.personal_details!.data!.data_hash
			).toString()
		);
		expect(personalData).toEqual(PERSONAL);
		const addressData = JSON.parse(
			open(
				address.data!,
				credentials.secure_data.address!.data!.secret,
				credentials.secure_data.address!.data!.data_hash
			).toString()
		);
		// Empty optional values are written as "", never left out.
		expect(addressData).toEqual(ADDRESS);
		expect(Object.keys(addressData)).toContain('street_line2');

		// Files match their credentials by index, and decrypt to the scans.
		licence.translation!.forEach((file, index) => {
			const credentials = licenceCredentials.translation![index];
			const plain = open(
				Buffer.from(files[file.file_id]),
				credentials.secret,
				credentials.file_hash
			);
			expect(plain.equals(shelf.scans.get(`driver_license-tr${index}`)!)).toBe(true);
		});
		const selfie = open(
			Buffer.from(files[licence.selfie!.file_id]),
			licenceCredentials.selfie!.secret,
			licenceCredentials.selfie!.file_hash
		);
		expect(selfie.equals(shelf.scans.get('driver_license-selfie')!)).toBe(true);

		// The element hash is SHA-256 over data_hash then file hashes in part order.
		const partHashes = [
			licenceCredentials.data!.data_hash,
			licenceCredentials.front_side!.file_hash,
			licenceCredentials.reverse_side!.file_hash,
			licenceCredentials.selfie!.file_hash,
			...licenceCredentials.translation!.map((file) => file.file_hash)
		].map((hash) => Buffer.from(hash, 'base64'));
		expect(licence.hash).toBe(
			createHash('sha256').update(Buffer.concat(partHashes)).digest('base64')
		);
	});

	it('sends selfie and translation only when asked, and no reverse side for passports', async () => {
		const request = requestFor({ v: 1, d: ['pp', 'dl', 'ub'] });
		const { passportData } = await buildPassportData({
			request,
			elements,
			readScan: shelf.readScan
		});
		expect(passportData.data.map((element) => Object.keys(element))).toEqual([
			['type', 'data', 'front_side', 'hash'],
			['type', 'data', 'front_side', 'reverse_side', 'hash'],
			['type', 'files', 'hash']
		]);
		const credentials = openCredentials(passportData.credentials);
		expect(Object.keys(credentials.secure_data.passport!)).toEqual(['data', 'front_side']);
		expect(Object.keys(credentials.secure_data.utility_bill!)).toEqual(['files']);
	});

	it('sends the Latin names in place of native names nobody asked for', async () => {
		const request = requestFor({ v: 1, d: ['pd'] });
		const { passportData } = await buildPassportData({
			request,
			elements,
			readScan: shelf.readScan
		});
		const credentials = openCredentials(passportData.credentials);
		const data = credentials.secure_data.personal_details!.data!;
		const values = JSON.parse(
			open(passportData.data[0].data!, data.secret, data.data_hash).toString()
		);
		expect(values.first_name_native).toBe('Marie');
		expect(values.last_name_native).toBe('Curie');
		expect(values.middle_name_native).toBe('Salomea');
		expect(JSON.stringify(values)).not.toContain('Skłodowska');
	});

	it('writes every data key even when the stored data lacks some', async () => {
		const request = requestFor({ v: 1, d: ['pp'] });
		const sparse: StoredElement = { ...elements.passport, data: { document_no: 'X1' } as never };
		const { passportData } = await buildPassportData({
			request,
			elements: [sparse],
			readScan: shelf.readScan
		});
		const credentials = openCredentials(passportData.credentials);
		const data = credentials.secure_data.passport!.data!;
		expect(
			JSON.parse(open(passportData.data[0].data!, data.secret, data.data_hash).toString())
		).toEqual({
			document_no: 'X1',
			expiry_date: ''
		});
	});

	it('duplicates a legacy payload under payload and nonce', async () => {
		const request = requestFor(['email'], { nonce: null, payload: 'legacy-42' });
		const { passportData } = await buildPassportData({
			request,
			elements,
			readScan: shelf.readScan
		});
		const credentials = openCredentials(passportData.credentials);
		expect(credentials).toEqual({ secure_data: {}, payload: 'legacy-42', nonce: 'legacy-42' });
	});

	it('returns what the consent history needs', async () => {
		const request = requestFor({ v: 1, d: [{ _: 'ic', s: 1 }, 'em'] });
		const built = await buildPassportData({ request, elements, readScan: shelf.readScan });
		const [card, email] = built.elementHashes;
		const credentials = openCredentials(built.passportData.credentials);
		expect(card.elementHash).toBe(built.passportData.data[0].hash);
		expect(card.dataHash).toBe(credentials.secure_data.identity_card!.data!.data_hash);
		expect(card.files).toEqual([
			{
				part: 'front_side',
				index: 0,
				scanId: 'identity_card-front',
				fileHash: credentials.secure_data.identity_card!.front_side!.file_hash
			},
			{
				part: 'reverse_side',
				index: 0,
				scanId: 'identity_card-reverse',
				fileHash: credentials.secure_data.identity_card!.reverse_side!.file_hash
			},
			{
				part: 'selfie',
				index: 0,
				scanId: 'identity_card-selfie',
				fileHash: credentials.secure_data.identity_card!.selfie!.file_hash
			}
		]);
		expect(card.fieldDigests?.document_no).toBe(
			createHash('sha256').update('ID-99').digest('base64')
		);
		expect(email).toEqual({
			type: 'email',
			elementHash: built.passportData.data[1].hash,
			files: []
		});
	});

	describe('refuses to build an incomplete answer', () => {
		const cases: [
			string,
			unknown,
			(ElementType | undefined)[],
			Partial<Record<ElementType, StoredElement>>,
			object
		][] = [
			[
				'a one-of without a choice',
				{ v: 1, d: ['idd'] },
				[],
				elements,
				{ code: 'CHOICE_INVALID', row: 0 }
			],
			[
				'a choice the row does not offer',
				{ v: 1, d: ['idd'] },
				['internal_passport'],
				elements,
				{ code: 'CHOICE_INVALID' }
			],
			[
				'a missing element',
				{ v: 1, d: ['em', 'pn'] },
				[],
				{ email: elements.email },
				{ code: 'ELEMENT_MISSING', row: 1, type: 'phone_number' }
			],
			[
				'a missing selfie',
				{ v: 1, d: [{ _: 'pp', s: 1 }] },
				[],
				{ passport: { ...elements.passport, selfie: undefined } },
				{ code: 'PART_MISSING', part: 'selfie' }
			],
			[
				'a missing reverse side',
				{ v: 1, d: ['dl'] },
				[],
				{ driver_license: { ...elements.driver_license, reverse_side: undefined } },
				{ code: 'PART_MISSING', part: 'reverse_side' }
			],
			[
				'no translation when asked',
				{ v: 1, d: [{ _: 'ub', t: 1 }] },
				[],
				{ utility_bill: { ...elements.utility_bill, translation: [] } },
				{ code: 'PART_MISSING', part: 'translation' }
			],
			[
				'a proof of address without files',
				{ v: 1, d: ['ra'] },
				[],
				{ rental_agreement: { ...elements.rental_agreement, files: [] } },
				{ code: 'PART_MISSING', part: 'files' }
			],
			[
				'an address without data',
				{ v: 1, d: ['ad'] },
				[],
				{ address: { type: 'address', updatedAt: 1 } },
				{ code: 'PART_MISSING', part: 'data' }
			],
			[
				'an empty email',
				{ v: 1, d: ['em'] },
				[],
				{ email: { type: 'email', email: '', updatedAt: 1 } },
				{ code: 'PART_MISSING' }
			],
			[
				'21 scans',
				{ v: 1, d: ['bs'] },
				[],
				{
					bank_statement: {
						...elements.bank_statement,
						files: Array(21).fill(elements.bank_statement.files![0])
					}
				},
				{ code: 'TOO_MANY_SCANS' }
			]
		];
		it.each(cases)('%s', async (_name, scope, choices, stored, expected) => {
			const request = requestFor(scope);
			const build = buildPassportData({
				request,
				choices,
				elements: stored,
				readScan: shelf.readScan
			});
			await expect(build).rejects.toBeInstanceOf(PassportBuildError);
			await expect(build).rejects.toMatchObject(expected);
		});
	});
});
