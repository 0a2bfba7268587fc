/**
 * The decrypted values, checked against the Bot API types (core.telegram.org/bots/api#passportdata:
 * PersonalDetails, IdDocumentData, ResidentialAddress; phone_number and email): strings where
 * strings are, dates as DD.MM.YYYY days that exist, gender male or female, countries as two
 * capital letters, nothing else. A service can store and show what passes without re-checking types.
 */

import { parseDotDate } from '../passport/elements/dates';
import type { ElementType } from '../passport/types';
import { DeliveryError } from './delivery-error';
import { MAX_EMAIL_LENGTH, MAX_TEXT_LENGTH } from './limits';
import { isPlainObject } from './shape';

type Kind = 'text' | 'date' | 'gender' | 'country';
interface Field {
	kind: Kind;
	/** Present and not empty. Optional fields may be absent or '' (Papiers sends every key). */
	required: boolean;
}

const text = (required: boolean): Field => ({ kind: 'text', required });

const PERSONAL_DETAILS: Record<string, Field> = {
	first_name: text(true),
	last_name: text(true),
	middle_name: text(false),
	birth_date: { kind: 'date', required: true },
	gender: { kind: 'gender', required: true },
	country_code: { kind: 'country', required: true },
	residence_country_code: { kind: 'country', required: true },
	first_name_native: text(false),
	last_name_native: text(false),
	middle_name_native: text(false)
};

const ID_DOCUMENT_DATA: Record<string, Field> = {
	document_no: text(true),
	// '' (or absent): the document does not expire.
	expiry_date: { kind: 'date', required: false }
};

const RESIDENTIAL_ADDRESS: Record<string, Field> = {
	street_line1: text(true),
	street_line2: text(false),
	city: text(true),
	state: text(false),
	country_code: { kind: 'country', required: true },
	post_code: text(true)
};

const DATA_FIELDS: Partial<Record<ElementType, Record<string, Field>>> = {
	personal_details: PERSONAL_DETAILS,
	passport: ID_DOCUMENT_DATA,
	internal_passport: ID_DOCUMENT_DATA,
	driver_license: ID_DOCUMENT_DATA,
	identity_card: ID_DOCUMENT_DATA,
	address: RESIDENTIAL_ADDRESS
};

/** C0 and C1 controls and DEL: no Bot API field holds them; they break logs and pages. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const COUNTRY = /^[A-Z]{2}$/;

function invalid(path: string, problem: string): never {
	throw new DeliveryError('DATA_INVALID', `${path} ${problem}`);
}

function checkText(value: unknown, path: string, maxLength: number): string {
	if (typeof value !== 'string') invalid(path, 'is not a string');
	if (value.length > maxLength) invalid(path, `is longer than ${maxLength}`);
	if (CONTROL.test(value)) invalid(path, 'holds a control character');
	return value;
}

function checkField(value: unknown, field: Field, path: string): string {
	const checked = checkText(value, path, MAX_TEXT_LENGTH);
	if (checked === '') {
		if (field.required) invalid(path, 'is empty');
		return checked;
	}
	if (field.kind === 'date' && !parseDotDate(checked)) invalid(path, 'is not a DD.MM.YYYY date');
	if (field.kind === 'gender' && checked !== 'male' && checked !== 'female') {
		invalid(path, 'is neither male nor female');
	}
	if (field.kind === 'country' && !COUNTRY.test(checked)) {
		invalid(path, 'is not a two-letter country code');
	}
	return checked;
}

/** The data object of personal_details, an ID document or an address. */
export function checkElementData(type: ElementType, value: unknown): Record<string, string> {
	const fields = DATA_FIELDS[type];
	const path = `${type}.data`;
	if (!fields) invalid(path, 'is not carried by this type');
	if (!isPlainObject(value)) invalid(path, 'is not an object');
	for (const key of Object.keys(value)) {
		if (!Object.hasOwn(fields, key))
			invalid(path, `has an unknown key ${JSON.stringify(key.slice(0, 40))}`);
	}
	const out: Record<string, string> = {};
	for (const [key, field] of Object.entries(fields)) {
		if (value[key] === undefined) {
			if (field.required) invalid(`${path}.${key}`, 'is missing');
			continue;
		}
		out[key] = checkField(value[key], field, `${path}.${key}`);
	}
	return out;
}

/** Telegram sends the digits of the international number, without '+' (E.164: up to 15). */
const PHONE = /^[0-9]{4,15}$/;
/** One '@' between two non-empty parts, no spaces: what the wallet's editor lets through. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function checkPhoneNumber(value: unknown): string {
	const checked = checkText(value, 'phone_number', MAX_TEXT_LENGTH);
	if (!PHONE.test(checked)) invalid('phone_number', 'is not 4 to 15 digits');
	return checked;
}

export function checkEmail(value: unknown): string {
	const checked = checkText(value, 'email', MAX_EMAIL_LENGTH);
	if (!EMAIL.test(checked)) invalid('email', 'is not an email address');
	return checked;
}
