import { describe, expect, it } from 'vitest';
import { expiryStatus, summarize } from '$lib/passport/elements';
import type { StoredElement } from '$lib/passport/types';

const today = new Date(2025, 5, 15, 18, 30);
const withExpiry = (expiry_date: string): StoredElement => ({
	type: 'passport',
	data: { document_no: 'X1', expiry_date },
	updatedAt: 1
});

describe('expiryStatus', () => {
	it('is none without an expiry date', () => {
		expect(expiryStatus(withExpiry(''), today)).toBe('none');
		expect(expiryStatus(undefined, today)).toBe('none');
		expect(expiryStatus({ type: 'email', email: 'a@b.fr', updatedAt: 1 }, today)).toBe('none');
		expect(expiryStatus(withExpiry('31.04.2025'), today)).toBe('none');
	});

	it('is expired from the day after the expiry date', () => {
		expect(expiryStatus(withExpiry('14.06.2025'), today)).toBe('expired');
		expect(expiryStatus(withExpiry('01.01.2001'), today)).toBe('expired');
	});

	it('is expiring from 30 days before through the expiry day itself', () => {
		expect(expiryStatus(withExpiry('15.06.2025'), today)).toBe('expiring');
		expect(expiryStatus(withExpiry('15.07.2025'), today)).toBe('expiring');
		expect(expiryStatus(withExpiry('16.07.2025'), today)).toBe('ok');
		expect(expiryStatus(withExpiry('01.01.2035'), today)).toBe('ok');
	});
});

describe('summarize', () => {
	it('gives nothing for an element not added yet (the screen says "Add …")', () => {
		expect(summarize(undefined)).toEqual([]);
		expect(
			summarize({ type: 'passport', data: { document_no: '', expiry_date: '' }, updatedAt: 1 })
		).toEqual([]);
	});

	it('names and birth date for personal details', () => {
		expect(
			summarize({
				type: 'personal_details',
				data: {
					first_name: 'Jean',
					middle_name: 'Marie',
					last_name: 'Dupont',
					birth_date: '14.07.1989',
					gender: 'male',
					country_code: 'FR',
					residence_country_code: 'FR',
					first_name_native: 'Jean',
					middle_name_native: 'Marie',
					last_name_native: 'Dupont'
				},
				updatedAt: 1
			})
		).toEqual([
			{ kind: 'text', text: 'Jean Marie Dupont' },
			{ kind: 'birth_date', date: '14.07.1989' }
		]);
	});

	it('document number and expiry for ID documents', () => {
		expect(summarize(withExpiry('01.01.2030'))).toEqual([
			{ kind: 'text', text: 'X1' },
			{ kind: 'expiry_date', date: '01.01.2030' }
		]);
		expect(summarize(withExpiry(''))).toEqual([{ kind: 'text', text: 'X1' }]);
		const scansOnly: StoredElement = {
			type: 'identity_card',
			front_side: { id: 'a', size: 1, date: 0, width: 1, height: 1 },
			reverse_side: { id: 'b', size: 1, date: 0, width: 1, height: 1 },
			updatedAt: 1
		};
		expect(summarize(scansOnly)).toEqual([{ kind: 'file_count', count: 2 }]);
	});

	it('street, city and country for an address', () => {
		expect(
			summarize({
				type: 'address',
				data: {
					street_line1: '12 rue de la Paix',
					street_line2: '',
					city: 'Paris',
					state: '',
					country_code: 'FR',
					post_code: '75002'
				},
				updatedAt: 1
			})
		).toEqual([
			{ kind: 'text', text: '12 rue de la Paix' },
			{ kind: 'text', text: 'Paris' },
			{ kind: 'country', code: 'FR' }
		]);
	});

	it('the phone in international form, the e-mail, the number of scans', () => {
		expect(summarize({ type: 'phone_number', phone_number: '33612345678', updatedAt: 1 })).toEqual([
			{ kind: 'text', text: '+33 6 12 34 56 78' }
		]);
		expect(summarize({ type: 'email', email: 'jean@example.fr', updatedAt: 1 })).toEqual([
			{ kind: 'text', text: 'jean@example.fr' }
		]);
		const file = { id: 'f', size: 1, date: 0, width: 1, height: 1 };
		expect(summarize({ type: 'bank_statement', files: [file, file], updatedAt: 1 })).toEqual([
			{ kind: 'file_count', count: 2 }
		]);
		expect(summarize({ type: 'bank_statement', files: [], updatedAt: 1 })).toEqual([]);
	});
});
