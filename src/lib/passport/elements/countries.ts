/**
 * ISO 3166-1 alpha-2 country codes, their names in the app's two languages, and the rule that
 * decides when personal details ask for names in the native script.
 */
import countries from 'i18n-iso-countries';
// Only the app's two languages: the package's Node entry loads every locale, its browser entry none.
import englishNames from 'i18n-iso-countries/langs/en.json';
import frenchNames from 'i18n-iso-countries/langs/fr.json';

export type CountryLocale = 'en' | 'fr';

// Registered on first use rather than at import, so a page that only needs, say, expiryStatus
// from this folder does not carry the country tables (a module with top-level calls cannot be
// tree-shaken).
let alpha2Codes: ReadonlySet<string> | undefined;
function knownCodes(): ReadonlySet<string> {
	if (!alpha2Codes) {
		countries.registerLocale(englishNames);
		countries.registerLocale(frenchNames);
		alpha2Codes = new Set(Object.keys(countries.getAlpha2Codes()));
	}
	return alpha2Codes;
}

/** True for an upper-case ISO 3166-1 alpha-2 code the library knows (XK, Kosovo, included). */
export function isCountryCode(code: string): boolean {
	return /^[A-Z]{2}$/.test(code) && knownCodes().has(code);
}

/** The country's name in `locale`, or the code itself when the code is unknown. */
export function countryName(code: string, locale: CountryLocale): string {
	return (isCountryCode(code) && countries.getName(code, locale, { select: 'official' })) || code;
}

export interface CountryOption {
	code: string;
	name: string;
}

const optionsCache = new Map<CountryLocale, readonly CountryOption[]>();

/** Every country, sorted by its name as a speaker of `locale` expects (É with E in French). */
export function countryOptions(locale: CountryLocale): readonly CountryOption[] {
	let options = optionsCache.get(locale);
	if (!options) {
		knownCodes();
		const names = countries.getNames(locale, { select: 'official' });
		const collator = new Intl.Collator(locale);
		options = Object.entries(names)
			.map(([code, name]) => ({ code, name }))
			.sort((a, b) => collator.compare(a.name, b.name));
		optionsCache.set(locale, options);
	}
	return options;
}

/**
 * The code for what a person typed in a country field: an alpha-2 code, or a country's name or
 * alias ("UK", "Great Britain") in `locale` and then in the other language, ignoring case and
 * accents ("etats-unis d'amerique"). '' when nothing matches, so the field can say so.
 */
export function countryCodeFromText(text: string, locale: CountryLocale): string {
	const typed = text.trim().replace(/\s+/g, ' ');
	if (typed === '') return '';
	if (/^[A-Za-z]{2}$/.test(typed) && isCountryCode(typed.toUpperCase())) return typed.toUpperCase();
	knownCodes(); // registers the names looked up below
	for (const language of locale === 'fr' ? (['fr', 'en'] as const) : (['en', 'fr'] as const)) {
		const code =
			countries.getAlpha2Code(typed, language) ?? countries.getSimpleAlpha2Code(typed, language);
		if (code && isCountryCode(code)) return code;
	}
	return '';
}

/**
 * Countries whose identity documents print the holder's name first in a script other than Latin:
 * the national language's own script (Cyrillic, Greek, Arabic, Thaana, Hebrew, Armenian, Georgian,
 * Ethiopic, Brahmic scripts, Thai, Lao, Khmer, Burmese, Tibetan, Han, Kana, Hangul).
 * Countries with a Latin-script official language beside another script (Singapore, Djibouti, Chad,
 * Comoros, Bosnia, Montenegro, Uzbekistan…) count as Latin: their documents carry the Latin form.
 */
const NON_LATIN_SCRIPT_COUNTRIES: ReadonlySet<string> = new Set([
	// Cyrillic
	...['BG', 'BY', 'KG', 'KZ', 'MK', 'MN', 'RS', 'RU', 'TJ', 'UA'],
	// Greek
	...['CY', 'GR'],
	// Arabic script (Arabic, Persian, Pashto, Urdu) and Thaana
	...['AE', 'AF', 'BH', 'DZ', 'EG', 'EH', 'IQ', 'IR', 'JO', 'KW', 'LB', 'LY', 'MA', 'MR', 'MV'],
	...['OM', 'PK', 'PS', 'QA', 'SA', 'SD', 'SY', 'TN', 'YE'],
	// Hebrew, Armenian, Georgian, Ethiopic
	...['IL', 'AM', 'GE', 'ER', 'ET'],
	// South and South-East Asian scripts
	...['BD', 'BT', 'IN', 'KH', 'LA', 'LK', 'MM', 'NP', 'TH'],
	// Han, Kana, Hangul
	...['CN', 'HK', 'JP', 'KP', 'KR', 'MO', 'TW']
]);

/** False when the country's documents write names in a non-Latin script first; true otherwise. */
export function countryUsesLatinScript(code: string): boolean {
	return !NON_LATIN_SCRIPT_COUNTRIES.has(code.toUpperCase());
}

/**
 * The rule for personal details: native-name fields are shown, and required, only when the country
 * of residence writes names in another script (the residence decides, as in Telegram Desktop,
 * because that is where the documents a service checks were issued). Otherwise the native names are
 * the Latin ones, filled in on save, so a request with `native_names` is still answered.
 * With no residence chosen yet nothing is shown.
 */
export function nativeNamesShown(residenceCountryCode: string): boolean {
	return isCountryCode(residenceCountryCode) && !countryUsesLatinScript(residenceCountryCode);
}
