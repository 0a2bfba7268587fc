import { describe, expect, it } from 'vitest';
import {
	formatPhoneNumber,
	normalizeEmail,
	parsePhoneInput,
	validateEmail,
	validatePhoneNumber
} from '$lib/passport/elements';

describe('parsePhoneInput', () => {
	it('reads a French mobile in international form, stores digits without +', () => {
		expect(parsePhoneInput('+33 6 12 34 56 78')).toEqual({
			ok: true,
			digits: '33612345678',
			international: '+33 6 12 34 56 78'
		});
		expect(parsePhoneInput('0033 6 12 34 56 78')).toMatchObject({
			ok: true,
			digits: '33612345678'
		});
	});

	it('reads a national number with the default country', () => {
		expect(parsePhoneInput('06 12 34 56 78', 'FR')).toMatchObject({
			ok: true,
			digits: '33612345678'
		});
		expect(parsePhoneInput('(212) 555-0123', 'US')).toEqual({
			ok: true,
			digits: '12125550123',
			international: '+1 212 555 0123'
		});
	});

	it('reads back a stored value (digits without +)', () => {
		expect(parsePhoneInput('33612345678', 'US')).toMatchObject({ ok: true, digits: '33612345678' });
		expect(parsePhoneInput('12125550123')).toMatchObject({ ok: true, digits: '12125550123' });
	});

	it('refuses impossible numbers and empty input', () => {
		for (const input of [
			'+33 12',
			'+1 555 555 0123',
			'+999 1234567',
			'call me',
			'06 12 34 56 78'
		]) {
			expect(parsePhoneInput(input), input).toEqual({ ok: false, error: 'invalid_phone' });
		}
		expect(parsePhoneInput('  ')).toEqual({ ok: false, error: 'required' });
	});
});

describe('stored phone_number', () => {
	it('validates digits-only international numbers', () => {
		expect(validatePhoneNumber('33612345678')).toBeNull();
		expect(validatePhoneNumber('12125550123')).toBeNull();
		expect(validatePhoneNumber('+33612345678')).toBe('invalid_phone');
		expect(validatePhoneNumber('3312')).toBe('invalid_phone');
		expect(validatePhoneNumber('')).toBe('required');
	});

	it('formats in international form for display', () => {
		expect(formatPhoneNumber('33612345678')).toBe('+33 6 12 34 56 78');
		expect(formatPhoneNumber('447911123456')).toBe('+44 7911 123456');
		expect(formatPhoneNumber('')).toBe('');
	});
});

describe('validateEmail', () => {
	it('accepts ordinary addresses', () => {
		for (const email of [
			'jean.dupont@example.fr',
			'a+tag@sub.example.co.uk',
			"o'brien@example.ie",
			'élodie@exemple.fr',
			'x@xn--80ak6aa92e.com'
		]) {
			expect(validateEmail(email), email).toBeNull();
		}
	});

	it('refuses what is not an address', () => {
		for (const email of [
			'plain',
			'@example.com',
			'jean@',
			'jean@localhost',
			'jean@@example.com',
			'jean dupont@example.com',
			'jean..dupont@example.com',
			'.jean@example.com',
			'jean@-example.com',
			'jean@example..com',
			'jean@example.123',
			`${'a'.repeat(65)}@example.com`,
			`a@${'b'.repeat(250)}.com`
		]) {
			expect(validateEmail(email), email).toBe('invalid_email');
		}
		expect(validateEmail('')).toBe('required');
	});

	it('normalizes by trimming', () => {
		expect(normalizeEmail('  jean@example.fr ')).toBe('jean@example.fr');
	});
});
