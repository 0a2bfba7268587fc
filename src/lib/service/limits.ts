/**
 * Bounds on what a delivery may hold, checked before any decryption, so a stranger cannot make the
 * service do unbounded work. Each is far above what the wallet (or Telegram) ever sends.
 */

import { MAX_FILES, MAX_TRANSLATIONS } from '../passport/elements/scans';
import type { ElementType } from '../passport/types';

/** Every element type at most once. */
export const MAX_ELEMENTS = 13;
export const MAX_FILE_LIST = Math.max(MAX_FILES, MAX_TRANSLATIONS);
/** Telegram's file ids are base64url; ours are 32 characters. */
export const MAX_FILE_ID_LENGTH = 128;
/** An encrypted scan; the wallet's are a few hundred kB. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
/** base64 of an element's encrypted data JSON (ten short fields: a few hundred bytes). */
export const MAX_ELEMENT_DATA_LENGTH = 64 * 1024;
/** base64 of the encrypted credentials JSON (about 100 bytes per file). */
export const MAX_CREDENTIALS_DATA_LENGTH = 256 * 1024;
/** base64 of an RSA-OAEP ciphertext under a key of up to 16384 bits. */
export const MAX_SEALED_SECRET_LENGTH = 2732;
/** One decrypted text field (names, streets, document numbers); Telegram's editors stop at 255. */
export const MAX_TEXT_LENGTH = 256;
export const MAX_EMAIL_LENGTH = 254;
/** As the wallet's request parser (MAX_NONCE_LENGTH in passport/request.ts). */
export const MAX_NONCE_LENGTH = 4096;

export type SinglePart = 'front_side' | 'reverse_side' | 'selfie';
export type ListPart = 'files' | 'translation';

export interface ElementShape {
	/** Carries an encrypted data object; `required` when the element means nothing without it. */
	data: false | 'optional' | 'required';
	singles: readonly SinglePart[];
	lists: readonly ListPart[];
	/** phone_number and email: the value itself, in clear. */
	value?: 'phone_number' | 'email';
}

const ID_DOCUMENT: ElementShape = {
	data: 'optional',
	singles: ['front_side', 'selfie'],
	lists: ['translation']
};
const TWO_SIDED: ElementShape = {
	...ID_DOCUMENT,
	singles: ['front_side', 'reverse_side', 'selfie']
};
const ADDRESS_DOCUMENT: ElementShape = {
	data: false,
	singles: [],
	lists: ['files', 'translation']
};

/** Which parts each element type may carry (core.telegram.org/bots/api#encryptedpassportelement). */
export const ELEMENT_SHAPES: Record<ElementType, ElementShape> = {
	personal_details: { data: 'required', singles: [], lists: [] },
	passport: ID_DOCUMENT,
	internal_passport: ID_DOCUMENT,
	driver_license: TWO_SIDED,
	identity_card: TWO_SIDED,
	address: { data: 'required', singles: [], lists: [] },
	utility_bill: ADDRESS_DOCUMENT,
	bank_statement: ADDRESS_DOCUMENT,
	rental_agreement: ADDRESS_DOCUMENT,
	passport_registration: ADDRESS_DOCUMENT,
	temporary_registration: ADDRESS_DOCUMENT,
	phone_number: { data: false, singles: [], lists: [], value: 'phone_number' },
	email: { data: false, singles: [], lists: [], value: 'email' }
};

/** The most files one delivery can carry: every type once, every part full. */
export const MAX_DELIVERY_FILES = Object.values(ELEMENT_SHAPES).reduce(
	(sum, shape) => sum + shape.singles.length + shape.lists.length * MAX_FILE_LIST,
	0
);
