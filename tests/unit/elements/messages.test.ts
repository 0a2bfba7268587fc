import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPTURE_ERROR_CODES } from '$lib/capture/errors';
import { dataFields, FIELD_ERROR_CODES, type ScanPart } from '$lib/passport/elements';
import { ELEMENT_TYPES } from '$lib/passport/types';

type Message = string | { match: Record<string, string> }[];
const load = (locale: string): Record<string, Message> => {
	const { $schema: _schema, ...messages } = JSON.parse(
		readFileSync(join(import.meta.dirname, `../../../messages/elements/${locale}.json`), 'utf8')
	);
	return messages;
};
const en = load('en');
const fr = load('fr');

/** Every text of a message: the plain string, or each variant of a plural. */
const texts = (message: Message) =>
	typeof message === 'string'
		? [message]
		: message.flatMap((variant) => Object.values(variant.match));
const params = (message: Message) =>
	[
		...new Set(texts(message).flatMap((text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1])))
	].sort();

describe('messages/elements', () => {
	it('uses el_-prefixed snake_case keys, the same in English and French', () => {
		for (const key of Object.keys(en)) expect(key).toMatch(/^el_[a-z0-9]+(_[a-z0-9]+)*$/);
		expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
	});

	it('has non-empty texts with the same parameters in both languages', () => {
		for (const key of Object.keys(en)) {
			expect(
				texts(en[key]).every((text) => text.trim() !== ''),
				key
			).toBe(true);
			expect(
				texts(fr[key]).every((text) => text.trim() !== ''),
				key
			).toBe(true);
			expect(params(fr[key]), key).toEqual(params(en[key]));
		}
	});

	it('names every element type and says how to add it', () => {
		for (const type of ELEMENT_TYPES) {
			expect(en, type).toHaveProperty(`el_type_${type}`);
			expect(en, type).toHaveProperty(`el_add_${type}`);
		}
	});

	it('labels every data field, phone number and e-mail', () => {
		for (const type of ELEMENT_TYPES) {
			for (const { key } of dataFields(type)) {
				// personal_details.country_code is the citizenship; address.country_code the country.
				const label = type === 'personal_details' && key === 'country_code' ? 'citizenship' : key;
				expect(en, `${type}.${key}`).toHaveProperty(`el_field_${label}`);
			}
		}
		expect(en).toHaveProperty('el_field_phone_number');
		expect(en).toHaveProperty('el_field_email');
	});

	it('explains every field error, capture error and scan part', () => {
		for (const code of FIELD_ERROR_CODES) expect(en).toHaveProperty(`el_err_${code}`);
		for (const code of CAPTURE_ERROR_CODES) expect(en).toHaveProperty(`el_capture_err_${code}`);
		const parts: ScanPart[] = ['front_side', 'reverse_side', 'selfie', 'translation', 'files'];
		for (const part of parts) expect(en).toHaveProperty(`el_scan_${part}`);
	});

	it('is actually translated', () => {
		const same = Object.keys(en).filter(
			(key) => JSON.stringify(en[key]) === JSON.stringify(fr[key])
		);
		expect(same).toEqual([]);
	});
});
