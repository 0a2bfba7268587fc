/**
 * One validator per kind of field, following Telegram's client-side limits (PROTOCOL.md section 3).
 * Each takes the value as typed, ignores surrounding spaces (normalizeData trims them on save) and
 * returns an error code or null.
 */
import { isCountryCode } from './countries.js';
import { compareDates, parseDotDate, type CalendarDate } from './dates.js';
import type { FieldErrorCode } from './errors.js';

export const NAME_MAX_LENGTH = 255;
export const DOCUMENT_NO_MAX_LENGTH = 24;
export const STREET_LINE_MAX_LENGTH = 64;
export const CITY_MIN_LENGTH = 2;
export const CITY_MAX_LENGTH = 64;
/** A birth date further back than this is a typo (1091 for 1991), not a person. */
export const BIRTH_DATE_MAX_AGE_YEARS = 150;

const LATIN_NAME = /^[A-Za-z0-9.,/&\-' ]+$/;
const POST_CODE = /^[A-Za-z0-9-]{2,12}$/;
// Tabs, newlines and other control characters never belong in a one-line field; format characters
// (\p{Cf}) are allowed because Indic and Arabic names legitimately contain zero-width joiners.
const CONTROL_CHARACTER = /\p{Cc}/u;

/** Length in characters as a person counts them (an emoji or a rare Han character is one). */
function characterCount(value: string): number {
	return [...value].length;
}

/** The checks every free-text field shares: presence, length and control characters. */
function checkText(
	value: string,
	{ required, min = 1, max }: { required: boolean; min?: number; max: number }
): FieldErrorCode | null {
	const text = value.trim();
	if (text === '') return required ? 'required' : null;
	const length = characterCount(text);
	if (length < min) return 'too_short';
	if (length > max) return 'too_long';
	if (CONTROL_CHARACTER.test(text)) return 'invalid_chars';
	return null;
}

/** first_name, middle_name, last_name: Latin letters, digits and . , / & - ' and space. */
export function validateLatinName(value: string, required: boolean): FieldErrorCode | null {
	const error = checkText(value, { required, max: NAME_MAX_LENGTH });
	if (error || value.trim() === '') return error;
	return LATIN_NAME.test(value.trim()) ? null : 'invalid_chars';
}

/** *_native names: any script. */
export function validateNativeName(value: string, required: boolean): FieldErrorCode | null {
	return checkText(value, { required, max: NAME_MAX_LENGTH });
}

/** A real DD.MM.YYYY date, not after today and not absurdly old. */
export function validateBirthDate(value: string, today: CalendarDate): FieldErrorCode | null {
	const text = value.trim();
	if (text === '') return 'required';
	const date = parseDotDate(text);
	if (!date) return 'invalid_date';
	if (compareDates(date, today) > 0) return 'date_in_future';
	const oldest = { ...today, year: today.year - BIRTH_DATE_MAX_AGE_YEARS };
	if (compareDates(date, oldest) < 0) return 'date_too_old';
	return null;
}

/**
 * '' (no expiry) or a real DD.MM.YYYY date. A date in the past is valid data: an expired document
 * is still the user's, and expiryStatus tells the screens to warn about it.
 */
export function validateExpiryDate(value: string): FieldErrorCode | null {
	const text = value.trim();
	if (text === '') return null;
	return parseDotDate(text) ? null : 'invalid_date';
}

export function validateGender(value: string): FieldErrorCode | null {
	if (value === '') return 'required';
	return value === 'male' || value === 'female' ? null : 'invalid_gender';
}

/** An upper-case ISO 3166-1 alpha-2 code (normalizeData upper-cases what the user typed). */
export function validateCountryCode(value: string, required: boolean): FieldErrorCode | null {
	const text = value.trim();
	if (text === '') return required ? 'required' : null;
	return isCountryCode(text) ? null : 'invalid_country';
}

/** 1 to 24 characters. */
export function validateDocumentNo(value: string): FieldErrorCode | null {
	return checkText(value, { required: true, max: DOCUMENT_NO_MAX_LENGTH });
}

/** street_line1 (required), street_line2 and state (optional): up to 64 characters. */
export function validateStreetLine(value: string, required: boolean): FieldErrorCode | null {
	return checkText(value, { required, max: STREET_LINE_MAX_LENGTH });
}

/** 2 to 64 characters. */
export function validateCity(value: string): FieldErrorCode | null {
	return checkText(value, { required: true, min: CITY_MIN_LENGTH, max: CITY_MAX_LENGTH });
}

/** 2 to 12 Latin letters, digits or dashes. */
export function validatePostCode(value: string): FieldErrorCode | null {
	const text = value.trim();
	if (text === '') return 'required';
	return POST_CODE.test(text) ? null : 'invalid_post_code';
}
