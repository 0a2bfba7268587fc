import { describe, expect, it } from 'vitest';
import { birthDateFromMrz, expiryDateFromMrz } from '$lib/passport/mrz';

const today = { year: 2026, month: 12, day: 2 };

describe('birthDateFromMrz', () => {
	it('puts the birth date in the past, in the latest century that allows it', () => {
		expect(birthDateFromMrz('740812', today)).toEqual({ year: 1974, month: 8, day: 12 });
		expect(birthDateFromMrz('250101', today)).toEqual({ year: 2025, month: 1, day: 1 });
		expect(birthDateFromMrz('261202', today)).toEqual({ year: 2026, month: 12, day: 2 });
		// One day after today cannot be a birth date this century.
		expect(birthDateFromMrz('261203', today)).toEqual({ year: 1926, month: 12, day: 3 });
		expect(birthDateFromMrz('000229', today)).toEqual({ year: 2000, month: 2, day: 29 });
	});

	it('refuses days that do not exist and unknown parts', () => {
		expect(birthDateFromMrz('990229', today)).toBeNull();
		expect(birthDateFromMrz('741312', today)).toBeNull();
		expect(birthDateFromMrz('7408<<', today)).toBeNull();
	});
});

describe('expiryDateFromMrz', () => {
	it('reads expiry dates within 50 years back and 49 ahead', () => {
		expect(expiryDateFromMrz('360101', today)).toEqual({ year: 2036, month: 1, day: 1 });
		expect(expiryDateFromMrz('120415', today)).toEqual({ year: 2012, month: 4, day: 15 });
		expect(expiryDateFromMrz('750101', today)).toEqual({ year: 2075, month: 1, day: 1 });
		expect(expiryDateFromMrz('760101', today)).toEqual({ year: 1976, month: 1, day: 1 });
		expect(expiryDateFromMrz('800101', today)).toEqual({ year: 1980, month: 1, day: 1 });
	});

	it('refuses days that do not exist', () => {
		expect(expiryDateFromMrz('270230', today)).toBeNull();
	});
});
