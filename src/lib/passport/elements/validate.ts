/**
 * Validation of a whole data object, and the normalisation editors apply before saving.
 */
import type { StoredElement } from '../types.js';
import { nativeNamesShown } from './countries.js';
import { localCalendarDate, type CalendarDate } from './dates.js';
import { validateEmail } from './email.js';
import type { FieldErrorCode, FieldErrors } from './errors.js';
import {
	dataFields,
	emptyData,
	hasData,
	NATIVE_NAME_FALLBACKS,
	type DataElementType,
	type DataOf,
	type FieldSpec
} from './fields.js';
import { validatePhoneNumber } from './phone.js';
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
} from './rules.js';

export interface ValidationOptions {
	/** "Now", for birth dates; defaults to the current time. Tests pass a fixed day. */
	today?: Date;
}

export interface FieldContext {
	today: CalendarDate;
	/** Whether the native-name fields are shown (and so required); see nativeNamesShown. */
	nativeNamesShown: boolean;
}

export function validateField(
	spec: FieldSpec,
	value: string,
	context: FieldContext
): FieldErrorCode | null {
	switch (spec.kind) {
		case 'latin_name':
			return validateLatinName(value, spec.required);
		case 'native_name':
			return validateNativeName(value, spec.required && context.nativeNamesShown);
		case 'birth_date':
			return validateBirthDate(value, context.today);
		case 'expiry_date':
			return validateExpiryDate(value);
		case 'gender':
			return validateGender(value);
		case 'country':
			return validateCountryCode(value, spec.required);
		case 'document_no':
			return validateDocumentNo(value);
		case 'street_line':
			return validateStreetLine(value, spec.required);
		case 'city':
			return validateCity(value);
		case 'post_code':
			return validatePostCode(value);
	}
}

/** Reads a field defensively: stored data may come from an older version or another device. */
function stringField(data: object, key: string): string {
	const value = (data as Record<string, unknown>)[key];
	return typeof value === 'string' ? value : '';
}

/** Every failing field of a data object, with its error code. Empty when all is well. */
export function validateData<Type extends DataElementType>(
	type: Type,
	data: DataOf<Type>,
	options: ValidationOptions = {}
): FieldErrors<keyof DataOf<Type> & string> {
	const context: FieldContext = {
		today: localCalendarDate(options.today ?? new Date()),
		nativeNamesShown:
			type === 'personal_details' && nativeNamesShown(stringField(data, 'residence_country_code'))
	};
	const errors: FieldErrors = {};
	for (const spec of dataFields(type)) {
		const error = validateField(spec, stringField(data, spec.key), context);
		if (error) errors[spec.key] = error;
	}
	return errors as FieldErrors<keyof DataOf<Type> & string>;
}

/**
 * Every failing part of an element's values: data fields under their keys, and `phone_number` or
 * `email` for those types. Scans are not values; missingParts covers them.
 */
export function validateElement(
	element: StoredElement,
	options: ValidationOptions = {}
): FieldErrors {
	const { type } = element;
	if (type === 'phone_number') {
		const error = validatePhoneNumber(element.phone_number ?? '');
		return error ? { phone_number: error } : {};
	}
	if (type === 'email') {
		const error = validateEmail(element.email ?? '');
		return error ? { email: error } : {};
	}
	if (!hasData(type)) return {};
	return validateData(type, (element.data ?? emptyData(type)) as DataOf<typeof type>, options);
}

/**
 * What an editor saves: every key present (python-telegram-bot rejects missing ones), spaces
 * trimmed, country codes upper-cased, and, for personal details whose native names are not shown,
 * the native names copied from the Latin ones so a request with `native_names` is answered.
 */
export function normalizeData<Type extends DataElementType>(
	type: Type,
	data: Partial<DataOf<Type>>
): DataOf<Type> {
	const normalized: Record<string, string> = {};
	for (const spec of dataFields(type)) {
		const value = stringField(data, spec.key).trim();
		normalized[spec.key] = spec.kind === 'country' ? value.toUpperCase() : value;
	}
	if (type === 'personal_details' && !nativeNamesShown(normalized.residence_country_code)) {
		for (const [native, latin] of Object.entries(NATIVE_NAME_FALLBACKS)) {
			normalized[native] = normalized[latin];
		}
	}
	return normalized as unknown as DataOf<Type>;
}
