import { describe, expect, it } from 'vitest';
import {
	countryCodeFromText,
	countryName,
	countryOptions,
	countryUsesLatinScript,
	isCountryCode,
	nativeNamesShown
} from '$lib/passport/elements';

describe('countryOptions', () => {
	it('lists every ISO country once, named in the requested language', () => {
		const english = countryOptions('en');
		const french = countryOptions('fr');
		expect(english.length).toBeGreaterThanOrEqual(249);
		expect(french.length).toBe(english.length);
		expect(new Set(english.map((option) => option.code)).size).toBe(english.length);
		expect(english.every((option) => isCountryCode(option.code))).toBe(true);
		expect(english.find((option) => option.code === 'DE')?.name).toBe('Germany');
		expect(french.find((option) => option.code === 'DE')?.name).toBe('Allemagne');
	});

	it('sorts by name the way each language does', () => {
		const frenchNames = countryOptions('fr').map((option) => option.name);
		const collator = new Intl.Collator('fr');
		expect([...frenchNames].sort(collator.compare)).toEqual(frenchNames);
		// Accented initials sort with their base letter in French, not after Z.
		const egypt = frenchNames.indexOf('Égypte');
		expect(egypt).toBeGreaterThan(frenchNames.indexOf('Danemark'));
		expect(egypt).toBeLessThan(frenchNames.indexOf('Fidji'));
	});
});

describe('countryName', () => {
	it('names a code, or gives the code back when unknown', () => {
		expect(countryName('FR', 'en')).toBe('France');
		expect(countryName('GB', 'fr')).toBe('Royaume-Uni');
		expect(countryName('ZZ', 'en')).toBe('ZZ');
	});
});

describe('native names rule', () => {
	it('marks countries whose documents use another script', () => {
		for (const code of [
			'RU',
			'UA',
			'GR',
			'IL',
			'SA',
			'IR',
			'CN',
			'JP',
			'KR',
			'TH',
			'IN',
			'GE',
			'AM'
		]) {
			expect(countryUsesLatinScript(code), code).toBe(false);
		}
		for (const code of ['FR', 'US', 'DE', 'TR', 'VN', 'PL', 'BR', 'UZ', 'SG']) {
			expect(countryUsesLatinScript(code), code).toBe(true);
		}
	});

	it('shows native-name fields only for a non-Latin country of residence', () => {
		expect(nativeNamesShown('RU')).toBe(true);
		expect(nativeNamesShown('FR')).toBe(false);
		expect(nativeNamesShown('')).toBe(false);
		expect(nativeNamesShown('ZZ')).toBe(false);
	});
});

describe('countryCodeFromText', () => {
	it('reads a name in either language, an alias or a code, ignoring case and accents', () => {
		expect(countryCodeFromText('France', 'en')).toBe('FR');
		expect(countryCodeFromText('  allemagne ', 'en')).toBe('DE');
		expect(countryCodeFromText("etats-unis d'amerique", 'fr')).toBe('US');
		expect(countryCodeFromText('Great Britain', 'fr')).toBe('GB');
		expect(countryCodeFromText('UK', 'en')).toBe('GB');
		expect(countryCodeFromText('jp', 'en')).toBe('JP');
	});

	it('gives nothing for text that names no country', () => {
		expect(countryCodeFromText('', 'en')).toBe('');
		expect(countryCodeFromText('Atlantis', 'en')).toBe('');
		expect(countryCodeFromText('ZZ', 'en')).toBe('');
		expect(countryCodeFromText('Fran', 'en')).toBe('');
	});
});
