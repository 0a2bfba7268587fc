import { describe, expect, it } from 'vitest';
import { ElementDraft } from '$lib/components/elements/element-draft.svelte';
import type { StoredElement } from '$lib/passport/types';

const ref = (id: string) => ({ id, size: 10, date: 1, width: 100, height: 80 });

describe('ElementDraft', () => {
	it('requires the selfie and translations only when the request asks', () => {
		const stored: StoredElement = {
			type: 'passport',
			data: { document_no: 'X1', expiry_date: '' },
			front_side: ref('f'),
			updatedAt: 1
		};
		expect(new ElementDraft({ type: 'passport', previous: stored }).errors).toEqual({});
		const asked = new ElementDraft({
			type: 'passport',
			previous: stored,
			requirements: { selfie: true, translation: true }
		});
		expect(asked.errors).toEqual({ selfie: 'scan_required', translation: 'scan_required' });
		// Proofs of address always need at least one file.
		expect(new ElementDraft({ type: 'utility_bill', previous: undefined }).errors).toEqual({
			files: 'scan_required'
		});
		expect(new ElementDraft({ type: 'driver_license', previous: undefined }).errors).toMatchObject({
			document_no: 'required',
			front_side: 'scan_required',
			reverse_side: 'scan_required'
		});
	});

	it('shows errors only once a save was attempted', () => {
		const draft = new ElementDraft({ type: 'email', previous: undefined });
		expect(draft.shownErrors).toEqual({});
		draft.submitted = true;
		expect(draft.shownErrors).toEqual({ email: 'required' });
		draft.email = ' someone@example.org ';
		expect(draft.shownErrors).toEqual({});
		expect(draft.toInput()).toEqual({ type: 'email', email: 'someone@example.org' });
	});

	it('reads a national phone number with the default calling code and stores digits', () => {
		const draft = new ElementDraft({
			type: 'phone_number',
			previous: undefined,
			defaultPhoneCountry: 'FR'
		});
		expect(draft.phoneCountry).toBe('FR');
		draft.phone = '06 12 34 56 78';
		expect(draft.errors).toEqual({});
		expect(draft.toInput()).toEqual({ type: 'phone_number', phone_number: '33612345678' });
		const stored = new ElementDraft({
			type: 'phone_number',
			previous: { type: 'phone_number', phone_number: '4915123456789', updatedAt: 1 },
			defaultPhoneCountry: 'FR'
		});
		expect(stored.phoneCountry).toBe('DE');
		expect(stored.phone).toBe('+49 1512 3456789');
	});

	it('asks for native names only where the residence writes in another script', () => {
		const draft = new ElementDraft({ type: 'personal_details', previous: undefined });
		Object.assign(draft.values, {
			first_name: 'Anna',
			last_name: 'Petrova',
			birth_date: '01.02.1990',
			gender: 'female',
			country_code: 'FR',
			residence_country_code: 'FR'
		});
		expect(draft.showsNativeNames).toBe(false);
		expect(draft.errors).toEqual({});
		expect(draft.toInput().data).toMatchObject({ first_name_native: 'Anna', middle_name: '' });
		draft.values.residence_country_code = 'RU';
		expect(draft.showsNativeNames).toBe(true);
		expect(draft.errors).toEqual({ first_name_native: 'required', last_name_native: 'required' });
	});

	it('flags a half-typed date and a stored list it keeps in order', () => {
		const draft = new ElementDraft({
			type: 'identity_card',
			previous: {
				type: 'identity_card',
				data: { document_no: 'A1', expiry_date: '' },
				front_side: ref('f'),
				reverse_side: ref('r'),
				translation: [ref('t1'), ref('t2')],
				updatedAt: 1
			}
		});
		expect(draft.errors).toEqual({});
		draft.incompleteDates.expiry_date = true;
		expect(draft.errors).toEqual({ expiry_date: 'invalid_date' });
		draft.incompleteDates.expiry_date = false;
		const [first] = draft.lists.translation;
		draft.removeScan('translation', first.key);
		expect(draft.toInput().translation).toEqual([ref('t2')]);
		expect(draft.toInput().front_side).toEqual(ref('f'));
	});
});
