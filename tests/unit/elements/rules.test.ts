import { describe, expect, it } from 'vitest';
import {
	validateBirthDate,
	validateCity,
	validateCountryCode,
	validateDocumentNo,
	validateExpiryDate,
	validateGender,
	validateLatinName,
	validateNativeName,
	validatePostCode,
	validateStreetLine
} from '$lib/passport/elements';

const today = { year: 2025, month: 6, day: 15 };

describe('validateLatinName', () => {
	it("accepts Latin letters, digits and . , / & - ' and spaces", () => {
		for (const name of ['Jean', "O'Brien", 'Anne-Marie', 'Smith Jr.', 'A/B & C, 2nd']) {
			expect(validateLatinName(name, true), name).toBeNull();
		}
	});

	it('refuses accents, other scripts and symbols', () => {
		for (const name of ['Zoé', 'Иван', '李', 'Jean!', 'a_b', 'x@y', 'tab\there']) {
			expect(validateLatinName(name, true), name).toBe('invalid_chars');
		}
	});

	it('requires a value only when the field is required', () => {
		expect(validateLatinName('', true)).toBe('required');
		expect(validateLatinName('   ', true)).toBe('required');
		expect(validateLatinName('', false)).toBeNull();
	});

	it('allows 255 characters, not 256', () => {
		expect(validateLatinName('a'.repeat(255), true)).toBeNull();
		expect(validateLatinName('a'.repeat(256), true)).toBe('too_long');
	});
});

describe('validateNativeName', () => {
	it('accepts any script', () => {
		for (const name of ['Иван', 'Ελένη', 'محمد', '山田', 'יוסף', 'Zoé', 'क्षत्रिय']) {
			expect(validateNativeName(name, true), name).toBeNull();
		}
	});

	it('is required only when asked, and limited to 255 characters', () => {
		expect(validateNativeName('', true)).toBe('required');
		expect(validateNativeName('', false)).toBeNull();
		// Counted as characters: 255 astral-plane ideographs are 510 UTF-16 units and still fit.
		expect(validateNativeName('𠀀'.repeat(255), true)).toBeNull();
		expect(validateNativeName('Я'.repeat(256), true)).toBe('too_long');
	});

	it('refuses control characters', () => {
		expect(validateNativeName('Ива\nн', true)).toBe('invalid_chars');
	});
});

describe('validateBirthDate', () => {
	it('accepts a real date in the past, leap days included', () => {
		expect(validateBirthDate('29.02.2024', today)).toBeNull();
		expect(validateBirthDate('01.01.1950', today)).toBeNull();
		expect(validateBirthDate('15.06.2025', today)).toBeNull();
	});

	it('refuses dates that do not exist', () => {
		expect(validateBirthDate('29.02.2023', today)).toBe('invalid_date');
		expect(validateBirthDate('31.04.2000', today)).toBe('invalid_date');
		expect(validateBirthDate('2000-01-01', today)).toBe('invalid_date');
	});

	it('refuses the future, absurd ages and emptiness', () => {
		expect(validateBirthDate('16.06.2025', today)).toBe('date_in_future');
		expect(validateBirthDate('01.01.2090', today)).toBe('date_in_future');
		expect(validateBirthDate('01.01.1091', today)).toBe('date_too_old');
		expect(validateBirthDate('', today)).toBe('required');
	});
});

describe('validateExpiryDate', () => {
	it('takes an empty value as "does not expire"', () => {
		expect(validateExpiryDate('')).toBeNull();
	});

	it('accepts any real date, past ones too (expiryStatus warns about those)', () => {
		expect(validateExpiryDate('29.02.2028')).toBeNull();
		expect(validateExpiryDate('01.01.2001')).toBeNull();
	});

	it('refuses dates that do not exist', () => {
		expect(validateExpiryDate('29.02.2027')).toBe('invalid_date');
		expect(validateExpiryDate('31.04.2030')).toBe('invalid_date');
		expect(validateExpiryDate('never')).toBe('invalid_date');
	});
});

describe('validateGender', () => {
	it('knows male and female only', () => {
		expect(validateGender('male')).toBeNull();
		expect(validateGender('female')).toBeNull();
		expect(validateGender('')).toBe('required');
		expect(validateGender('Male')).toBe('invalid_gender');
		expect(validateGender('other')).toBe('invalid_gender');
	});
});

describe('validateCountryCode', () => {
	it('accepts ISO 3166-1 alpha-2 codes, Kosovo included', () => {
		for (const code of ['FR', 'US', 'RU', 'JP', 'XK']) {
			expect(validateCountryCode(code, true), code).toBeNull();
		}
	});

	it('refuses unknown, lower-case, alpha-3 and numeric codes', () => {
		for (const code of ['ZZ', 'UK', 'fr', 'FRA', '250', 'F']) {
			expect(validateCountryCode(code, true), code).toBe('invalid_country');
		}
		expect(validateCountryCode('', true)).toBe('required');
	});
});

describe('validateDocumentNo', () => {
	it('takes 1 to 24 characters', () => {
		expect(validateDocumentNo('1')).toBeNull();
		expect(validateDocumentNo('12AB34567')).toBeNull();
		expect(validateDocumentNo('X'.repeat(24))).toBeNull();
		expect(validateDocumentNo('X'.repeat(25))).toBe('too_long');
		expect(validateDocumentNo('')).toBe('required');
	});
});

describe('address lines', () => {
	it('street_line1 is required, 1 to 64 characters', () => {
		expect(validateStreetLine('1', true)).toBeNull();
		expect(validateStreetLine('12 rue de la Paix', true)).toBeNull();
		expect(validateStreetLine('s'.repeat(64), true)).toBeNull();
		expect(validateStreetLine('s'.repeat(65), true)).toBe('too_long');
		expect(validateStreetLine('', true)).toBe('required');
	});

	it('street_line2 and state are optional, up to 64 characters', () => {
		expect(validateStreetLine('', false)).toBeNull();
		expect(validateStreetLine('Bât. B', false)).toBeNull();
		expect(validateStreetLine('s'.repeat(65), false)).toBe('too_long');
	});

	it('city takes 2 to 64 characters', () => {
		expect(validateCity('Paris')).toBeNull();
		expect(validateCity('Ys')).toBeNull();
		expect(validateCity('Y')).toBe('too_short');
		expect(validateCity('c'.repeat(64))).toBeNull();
		expect(validateCity('c'.repeat(65))).toBe('too_long');
		expect(validateCity('')).toBe('required');
	});

	it('post_code takes 2 to 12 Latin letters, digits or dashes', () => {
		for (const code of ['75001', 'SW1A-1AA', 'K1A0B1', '12', '123456789012']) {
			expect(validatePostCode(code), code).toBeNull();
		}
		for (const code of ['1', '1234567890123', 'SW1A 1AA', '75 001', 'Zürich', '75001!']) {
			expect(validatePostCode(code), code).toBe('invalid_post_code');
		}
		expect(validatePostCode('')).toBe('required');
	});
});
