import { describe, expect, it } from 'vitest';
import {
	dataFields,
	emptyData,
	hasData,
	normalizeData,
	validateData,
	validateElement
} from '$lib/passport/elements';
import { ELEMENT_TYPES, type PersonalDetails } from '$lib/passport/types';

const today = new Date(2025, 5, 15);

const jean: PersonalDetails = {
	first_name: 'Jean',
	middle_name: '',
	last_name: 'Dupont',
	birth_date: '14.07.1989',
	gender: 'male',
	country_code: 'FR',
	residence_country_code: 'FR',
	first_name_native: 'Jean',
	middle_name_native: '',
	last_name_native: 'Dupont'
};

describe('emptyData', () => {
	it('gives every Bot API key with "" (python-telegram-bot rejects missing keys)', () => {
		expect(emptyData('personal_details')).toEqual({
			first_name: '',
			middle_name: '',
			last_name: '',
			birth_date: '',
			gender: '',
			country_code: '',
			residence_country_code: '',
			first_name_native: '',
			middle_name_native: '',
			last_name_native: ''
		});
		expect(emptyData('passport')).toEqual({ document_no: '', expiry_date: '' });
		expect(emptyData('identity_card')).toEqual({ document_no: '', expiry_date: '' });
		expect(emptyData('address')).toEqual({
			street_line1: '',
			street_line2: '',
			city: '',
			state: '',
			country_code: '',
			post_code: ''
		});
	});

	it('gives null for the types that carry no data object', () => {
		for (const type of [
			'utility_bill',
			'temporary_registration',
			'phone_number',
			'email'
		] as const) {
			expect(emptyData(type), type).toBeNull();
			expect(hasData(type)).toBe(false);
		}
	});

	it('matches dataFields for every type', () => {
		for (const type of ELEMENT_TYPES) {
			const keys = dataFields(type).map((field) => field.key);
			expect(Object.keys(emptyData(type) ?? {}), type).toEqual(keys);
		}
	});
});

describe('validateData', () => {
	it('passes a complete, correct personal details object', () => {
		expect(validateData('personal_details', jean, { today })).toEqual({});
	});

	it('reports one code per failing field', () => {
		const errors = validateData(
			'personal_details',
			{ ...jean, first_name: 'Zoé', last_name: '', birth_date: '29.02.2023', gender: '' },
			{ today }
		);
		expect(errors).toEqual({
			first_name: 'invalid_chars',
			last_name: 'required',
			birth_date: 'invalid_date',
			gender: 'required'
		});
	});

	it('requires native names when the residence writes names in another script', () => {
		const ivan: PersonalDetails = {
			...jean,
			first_name: 'Ivan',
			last_name: 'Petrov',
			country_code: 'RU',
			residence_country_code: 'RU',
			first_name_native: '',
			last_name_native: ''
		};
		expect(validateData('personal_details', ivan, { today })).toEqual({
			first_name_native: 'required',
			last_name_native: 'required'
		});
		expect(
			validateData(
				'personal_details',
				{ ...ivan, first_name_native: 'Иван', last_name_native: 'Петров' },
				{ today }
			)
		).toEqual({});
	});

	it('validates ID documents and addresses', () => {
		expect(validateData('passport', { document_no: '12AB34567', expiry_date: '' })).toEqual({});
		expect(validateData('driver_license', { document_no: '', expiry_date: '31.04.2030' })).toEqual({
			document_no: 'required',
			expiry_date: 'invalid_date'
		});
		expect(
			validateData('address', {
				street_line1: '12 rue de la Paix',
				street_line2: '',
				city: 'Paris',
				state: '',
				country_code: 'FR',
				post_code: '75002'
			})
		).toEqual({});
		expect(
			validateData('address', {
				street_line1: '',
				street_line2: '',
				city: 'P',
				state: '',
				country_code: 'QQ',
				post_code: '75 002'
			})
		).toEqual({
			street_line1: 'required',
			city: 'too_short',
			country_code: 'invalid_country',
			post_code: 'invalid_post_code'
		});
	});

	it('treats keys missing from stored data as empty instead of crashing', () => {
		const partial = { document_no: 'X1' } as unknown as {
			document_no: string;
			expiry_date: string;
		};
		expect(validateData('passport', partial)).toEqual({});
		expect(validateData('identity_card', {} as never)).toEqual({ document_no: 'required' });
	});
});

describe('validateElement', () => {
	it('checks phone_number and email elements', () => {
		expect(
			validateElement({ type: 'phone_number', phone_number: '33612345678', updatedAt: 0 })
		).toEqual({});
		expect(validateElement({ type: 'phone_number', phone_number: '123', updatedAt: 0 })).toEqual({
			phone_number: 'invalid_phone'
		});
		expect(validateElement({ type: 'email', updatedAt: 0 })).toEqual({ email: 'required' });
		expect(validateElement({ type: 'utility_bill', updatedAt: 0 })).toEqual({});
	});
});

describe('normalizeData', () => {
	it('trims, upper-cases country codes and writes every key', () => {
		expect(
			normalizeData('address', { street_line1: ' 1 Main St ', city: 'Leeds ', country_code: 'gb' })
		).toEqual({
			street_line1: '1 Main St',
			street_line2: '',
			city: 'Leeds',
			state: '',
			country_code: 'GB',
			post_code: ''
		});
	});

	it('fills native names from the Latin ones where native names are not shown', () => {
		const saved = normalizeData('personal_details', {
			...jean,
			middle_name: 'Marie',
			first_name_native: '',
			middle_name_native: '',
			last_name_native: 'stale'
		});
		expect(saved.first_name_native).toBe('Jean');
		expect(saved.middle_name_native).toBe('Marie');
		expect(saved.last_name_native).toBe('Dupont');
	});

	it('keeps native names the user typed where they are shown', () => {
		const saved = normalizeData('personal_details', {
			...jean,
			residence_country_code: 'gr',
			first_name_native: ' Ιωάννης ',
			last_name_native: 'Παπαδόπουλος'
		});
		expect(saved.residence_country_code).toBe('GR');
		expect(saved.first_name_native).toBe('Ιωάννης');
		expect(saved.last_name_native).toBe('Παπαδόπουλος');
	});
});
