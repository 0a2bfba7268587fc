import { describe, expect, it } from 'vitest';
import { isComplete, missingParts, scanRules, MAX_FILES } from '$lib/passport/elements';
import type { ScanRef, StoredElement } from '$lib/passport/types';

const today = new Date(2025, 5, 15);
let nextScan = 0;
const scan = (): ScanRef => ({
	id: `scan-${nextScan++}`,
	size: 1000,
	date: 0,
	width: 10,
	height: 10
});

const passport = (extra: Partial<StoredElement> = {}): StoredElement => ({
	type: 'passport',
	data: { document_no: '12AB34567', expiry_date: '01.01.2030' },
	front_side: scan(),
	updatedAt: 1,
	...extra
});

describe('scanRules', () => {
	it('knows which slots each type takes', () => {
		expect(scanRules('passport')).toEqual({
			front_side: true,
			reverse_side: false,
			selfie: true,
			translation: true,
			files: false
		});
		expect(scanRules('internal_passport').reverse_side).toBe(false);
		expect(scanRules('driver_license').reverse_side).toBe(true);
		expect(scanRules('identity_card').reverse_side).toBe(true);
		expect(scanRules('utility_bill')).toEqual({
			front_side: false,
			reverse_side: false,
			selfie: false,
			translation: true,
			files: true
		});
		expect(scanRules('address').files).toBe(false);
		expect(scanRules('email').front_side).toBe(false);
		expect(MAX_FILES).toBe(20);
	});
});

describe('missingParts', () => {
	it('lists everything for an element not stored yet', () => {
		expect(missingParts(undefined, { type: 'identity_card', selfie: true }, { today })).toEqual([
			{ kind: 'field', field: 'document_no', error: 'required' },
			{ kind: 'scan', part: 'front_side' },
			{ kind: 'scan', part: 'reverse_side' },
			{ kind: 'scan', part: 'selfie' }
		]);
		expect(missingParts(undefined, { type: 'email' })).toEqual([
			{ kind: 'field', field: 'email', error: 'required' }
		]);
	});

	it('asks for a selfie and a translation only when the request does', () => {
		expect(missingParts(passport(), { type: 'passport' }, { today })).toEqual([]);
		expect(isComplete(passport(), { type: 'passport' }, { today })).toBe(true);
		expect(missingParts(passport(), { type: 'passport', selfie: true, translation: true })).toEqual(
			[
				{ kind: 'scan', part: 'selfie' },
				{ kind: 'scan', part: 'translation' }
			]
		);
		const full = passport({ selfie: scan(), translation: [scan()] });
		expect(isComplete(full, { type: 'passport', selfie: true, translation: true })).toBe(true);
	});

	it('needs the reverse side of a driver licence', () => {
		const licence: StoredElement = { ...passport(), type: 'driver_license' };
		expect(missingParts(licence, { type: 'driver_license' })).toEqual([
			{ kind: 'scan', part: 'reverse_side' }
		]);
		expect(isComplete({ ...licence, reverse_side: scan() }, { type: 'driver_license' })).toBe(true);
	});

	it('needs at least one file for a proof of address, and translations when asked', () => {
		const bill: StoredElement = { type: 'utility_bill', files: [], updatedAt: 1 };
		expect(missingParts(bill, { type: 'utility_bill', translation: true })).toEqual([
			{ kind: 'scan', part: 'files' },
			{ kind: 'scan', part: 'translation' }
		]);
		expect(isComplete({ ...bill, files: [scan()] }, { type: 'utility_bill' })).toBe(true);
	});

	it('reports invalid stored values as well as absent ones', () => {
		const broken = passport({ data: { document_no: '', expiry_date: '31.04.2030' } });
		expect(missingParts(broken, { type: 'passport' })).toEqual([
			{ kind: 'field', field: 'document_no', error: 'required' },
			{ kind: 'field', field: 'expiry_date', error: 'invalid_date' }
		]);
		expect(
			missingParts(
				{ type: 'phone_number', phone_number: '3312', updatedAt: 1 },
				{ type: 'phone_number' }
			)
		).toEqual([{ kind: 'field', field: 'phone_number', error: 'invalid_phone' }]);
	});

	it('asks for native names only when the request does', () => {
		const details: StoredElement = {
			type: 'personal_details',
			data: {
				first_name: 'Ivan',
				middle_name: '',
				last_name: 'Petrov',
				birth_date: '01.02.1980',
				gender: 'male',
				country_code: 'RU',
				residence_country_code: 'RU',
				first_name_native: '',
				middle_name_native: '',
				last_name_native: ''
			},
			updatedAt: 1
		};
		expect(missingParts(details, { type: 'personal_details' }, { today })).toEqual([]);
		expect(
			missingParts(details, { type: 'personal_details', native_names: true }, { today })
		).toEqual([
			{ kind: 'field', field: 'first_name_native', error: 'required' },
			{ kind: 'field', field: 'last_name_native', error: 'required' }
		]);
		// A Latin-script residence whose native names were never filled in (saved by an old version).
		const french: StoredElement = {
			...details,
			data: {
				...(details.data as object),
				country_code: 'FR',
				residence_country_code: 'FR'
			} as never
		};
		expect(
			missingParts(french, { type: 'personal_details', native_names: true }, { today })
		).toEqual([
			{ kind: 'field', field: 'first_name_native', error: 'required' },
			{ kind: 'field', field: 'last_name_native', error: 'required' }
		]);
	});

	it('refuses to judge an element against a request for another type', () => {
		expect(() => missingParts(passport(), { type: 'identity_card' })).toThrow();
	});
});
