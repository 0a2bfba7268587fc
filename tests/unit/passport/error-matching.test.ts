import { describe, expect, it } from 'vitest';
import { buildPassportData } from '../../../src/lib/passport/build-response';
import type { PassportElementError } from '../../../src/lib/passport/element-errors';
import { isFlagResolved, matchElementErrors } from '../../../src/lib/passport/error-matching';
import { parseConsentRequest } from '../../../src/lib/passport/request';
import type { StoredElement } from '../../../src/lib/passport/types';
import { ScanShelf, allElements, consentQuery } from './helpers';

async function sendOnce() {
	const shelf = new ScanShelf();
	const elements = allElements(shelf);
	const parsed = parseConsentRequest({
		query: consentQuery({ scope: '{"v":1,"d":["pd",{"_":"dl","s":1,"t":1},"ub","em"]}' })
	});
	if (!parsed.ok) throw new Error(parsed.code);
	const built = await buildPassportData({
		request: parsed.request,
		elements,
		readScan: shelf.readScan
	});
	return { shelf, elements, built, history: built.elementHashes };
}

describe('matching service-reported errors against what was sent', () => {
	it('finds the field, scan, list and element each error points at', async () => {
		const { built, history } = await sendOnce();
		const [personal, licence, bill, email] = history;
		const file = (record: typeof licence, part: string, index = 0) =>
			record.files.find((entry) => entry.part === part && entry.index === index)!.fileHash;
		const errors: PassportElementError[] = [
			{
				source: 'data',
				type: 'personal_details',
				field_name: 'birth_date',
				data_hash: personal.dataHash!,
				message: 'Too young'
			},
			{
				source: 'selfie',
				type: 'driver_license',
				file_hash: file(licence, 'selfie'),
				message: 'Blurry'
			},
			{
				source: 'reverse_side',
				type: 'driver_license',
				file_hash: file(licence, 'reverse_side'),
				message: 'Cut off'
			},
			{
				source: 'translation_file',
				type: 'driver_license',
				file_hash: file(licence, 'translation', 1),
				message: 'Wrong page'
			},
			{
				source: 'files',
				type: 'utility_bill',
				file_hashes: [file(bill, 'files', 0), file(bill, 'files', 1)],
				message: 'Too old'
			},
			{
				source: 'file',
				type: 'utility_bill',
				file_hash: file(bill, 'files', 1),
				message: 'Unreadable'
			},
			{
				source: 'unspecified',
				type: 'email',
				element_hash: email.elementHash,
				message: 'Use a work address'
			},
			{
				source: 'unspecified',
				type: 'driver_license',
				element_hash: built.passportData.data[1].hash,
				message: 'Expired'
			}
		];
		const { flags, unmatched } = matchElementErrors({ errors, history });
		expect(unmatched).toEqual([]);
		expect(
			flags.map(({ type, part, field, scanIds, message }) => ({
				type,
				part,
				field,
				scanIds,
				message
			}))
		).toEqual([
			{
				type: 'personal_details',
				part: 'data',
				field: 'birth_date',
				scanIds: [],
				message: 'Too young'
			},
			{
				type: 'driver_license',
				part: 'selfie',
				field: undefined,
				scanIds: ['driver_license-selfie'],
				message: 'Blurry'
			},
			{
				type: 'driver_license',
				part: 'reverse_side',
				field: undefined,
				scanIds: ['driver_license-reverse'],
				message: 'Cut off'
			},
			{
				type: 'driver_license',
				part: 'translation',
				field: undefined,
				scanIds: ['driver_license-tr1'],
				message: 'Wrong page'
			},
			{
				type: 'utility_bill',
				part: 'files',
				field: undefined,
				scanIds: ['utility_bill-f0', 'utility_bill-f1'],
				message: 'Too old'
			},
			{
				type: 'utility_bill',
				part: 'files',
				field: undefined,
				scanIds: ['utility_bill-f1'],
				message: 'Unreadable'
			},
			{
				type: 'email',
				part: 'element',
				field: undefined,
				scanIds: [],
				message: 'Use a work address'
			},
			{ type: 'driver_license', part: 'element', field: undefined, scanIds: [], message: 'Expired' }
		]);
	});

	it('sets aside errors quoting hashes never sent, or the wrong type or part', async () => {
		const { history } = await sendOnce();
		const [personal, licence] = history;
		const stranger = 'Z'.repeat(43) + '=';
		const selfieHash = licence.files.find((entry) => entry.part === 'selfie')!.fileHash;
		const errors: PassportElementError[] = [
			{
				source: 'data',
				type: 'personal_details',
				field_name: 'birth_date',
				data_hash: stranger,
				message: 'a'
			},
			{
				source: 'data',
				type: 'personal_details',
				field_name: 'shoe_size',
				data_hash: personal.dataHash!,
				message: 'b'
			},
			{ source: 'front_side', type: 'driver_license', file_hash: selfieHash, message: 'c' },
			{ source: 'selfie', type: 'passport', file_hash: selfieHash, message: 'd' },
			{ source: 'unspecified', type: 'email', element_hash: stranger, message: 'e' }
		];
		const { flags, unmatched } = matchElementErrors({ errors, history });
		expect(flags).toEqual([]);
		expect(unmatched).toEqual(errors);
	});

	it('clears each flag only when the person changes that part', async () => {
		const { elements, history } = await sendOnce();
		const [personal, licence, bill, email] = history;
		const selfieHash = licence.files.find((entry) => entry.part === 'selfie')!.fileHash;
		const { flags } = matchElementErrors({
			history,
			errors: [
				{
					source: 'data',
					type: 'personal_details',
					field_name: 'birth_date',
					data_hash: personal.dataHash!,
					message: ''
				},
				{ source: 'selfie', type: 'driver_license', file_hash: selfieHash, message: '' },
				{
					source: 'files',
					type: 'utility_bill',
					file_hashes: [bill.files[0].fileHash],
					message: ''
				},
				{ source: 'unspecified', type: 'email', element_hash: email.elementHash, message: '' }
			]
		});
		const [birth, selfie, files, mail] = flags;
		const resolved = (flag: (typeof flags)[number], element: StoredElement | undefined) =>
			isFlagResolved({ flag, element });

		expect(resolved(birth, elements.personal_details)).toBe(false);
		const otherField = {
			...elements.personal_details,
			data: { ...(elements.personal_details.data as object), first_name: 'Maria' }
		} as StoredElement;
		expect(resolved(birth, otherField)).toBe(false);
		const newBirth = {
			...elements.personal_details,
			data: { ...(elements.personal_details.data as object), birth_date: '08.11.1867' }
		} as StoredElement;
		expect(resolved(birth, newBirth)).toBe(true);

		expect(resolved(selfie, elements.driver_license)).toBe(false);
		expect(
			resolved(selfie, {
				...elements.driver_license,
				front_side: { ...elements.driver_license.front_side!, id: 'new' }
			})
		).toBe(false);
		expect(
			resolved(selfie, {
				...elements.driver_license,
				selfie: { ...elements.driver_license.selfie!, id: 'new' }
			})
		).toBe(true);

		expect(resolved(files, elements.utility_bill)).toBe(false);
		expect(
			resolved(files, {
				...elements.utility_bill,
				files: [...elements.utility_bill.files!, elements.utility_bill.files![0]]
			})
		).toBe(true);

		expect(resolved(mail, elements.email)).toBe(false);
		expect(resolved(mail, { ...elements.email, email: 'marie@work.example' })).toBe(true);
		expect(resolved(mail, undefined)).toBe(true);
	});
});
