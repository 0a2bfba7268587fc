/**
 * Phone numbers, parsed with libphonenumber-js (its small default metadata: country lengths and
 * prefixes, enough to refuse impossible numbers without a 100 KB table). Stored as the Bot API
 * carries `phone_number`: the international number, digits only, no '+' ("33612345678").
 */
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js';
import { isCountryCode } from './countries.js';
import type { FieldErrorCode } from './errors.js';

export type PhoneParseResult =
	| { ok: true; digits: string; international: string }
	| { ok: false; error: Extract<FieldErrorCode, 'required' | 'invalid_phone'> };

function validNumber(text: string, defaultCountry?: CountryCode): PhoneNumber | null {
	const number = parsePhoneNumberFromString(text, defaultCountry);
	return number && number.isValid() ? number : null;
}

/**
 * Reads what the user typed: "+33 6 12 34 56 78", "0033 612345678", or a national number such as
 * "06 12 34 56 78" when `defaultCountry` (say, the country of residence) is given. Bare digits that
 * are not a valid national number are tried as an international number without its '+', which is
 * also how a stored value reads back.
 */
export function parsePhoneInput(input: string, defaultCountry = ''): PhoneParseResult {
	const text = input.trim();
	if (text === '') return { ok: false, error: 'required' };
	const compact = text.replace(/[\s().-]/g, '');
	const international = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
	const country = isCountryCode(defaultCountry) ? (defaultCountry as CountryCode) : undefined;
	const number =
		(international.startsWith('+') ? validNumber(international) : null) ??
		(!international.startsWith('+') && country ? validNumber(text, country) : null) ??
		(/^\d+$/.test(international) ? validNumber(`+${international}`) : null);
	if (!number) return { ok: false, error: 'invalid_phone' };
	return { ok: true, digits: number.number.slice(1), international: number.formatInternational() };
}

/** Checks a stored phone_number (digits only, no '+'). */
export function validatePhoneNumber(digits: string): FieldErrorCode | null {
	if (digits === '') return 'required';
	if (!/^\d{4,15}$/.test(digits)) return 'invalid_phone';
	return validNumber(`+${digits}`) ? null : 'invalid_phone';
}

/** "33612345678" -> "+33 6 12 34 56 78"; '+' and the digits when the number cannot be parsed. */
export function formatPhoneNumber(digits: string): string {
	if (digits === '') return '';
	const number = parsePhoneNumberFromString(`+${digits}`);
	return number ? number.formatInternational() : `+${digits}`;
}
