/**
 * The 13 Telegram Passport element types and the shape in which the wallet stores one.
 * Field names match the Bot API / PROTOCOL.md section 3 exactly, so building the response is a copy.
 */

export const PERSONAL_TYPES = ['personal_details'] as const;
export const ID_DOCUMENT_TYPES = [
	'passport',
	'identity_card',
	'driver_license',
	'internal_passport'
] as const;
export const ADDRESS_TYPES = ['address'] as const;
export const ADDRESS_DOCUMENT_TYPES = [
	'utility_bill',
	'bank_statement',
	'rental_agreement',
	'passport_registration',
	'temporary_registration'
] as const;
export const CONTACT_TYPES = ['phone_number', 'email'] as const;

export type IdDocumentType = (typeof ID_DOCUMENT_TYPES)[number];
export type AddressDocumentType = (typeof ADDRESS_DOCUMENT_TYPES)[number];
export type DocumentType = IdDocumentType | AddressDocumentType;
export type ElementType =
	'personal_details' | IdDocumentType | 'address' | AddressDocumentType | 'phone_number' | 'email';

export const ELEMENT_TYPES: readonly ElementType[] = [
	...PERSONAL_TYPES,
	...ID_DOCUMENT_TYPES,
	...ADDRESS_TYPES,
	...ADDRESS_DOCUMENT_TYPES,
	...CONTACT_TYPES
];

export function isElementType(value: unknown): value is ElementType {
	return typeof value === 'string' && (ELEMENT_TYPES as readonly string[]).includes(value);
}
export function isIdDocumentType(value: string): value is IdDocumentType {
	return (ID_DOCUMENT_TYPES as readonly string[]).includes(value);
}
export function isAddressDocumentType(value: string): value is AddressDocumentType {
	return (ADDRESS_DOCUMENT_TYPES as readonly string[]).includes(value);
}

export interface PersonalDetails {
	first_name: string;
	last_name: string;
	middle_name: string;
	/** DD.MM.YYYY */
	birth_date: string;
	gender: 'male' | 'female' | '';
	/** ISO 3166-1 alpha-2, upper case */
	country_code: string;
	residence_country_code: string;
	first_name_native: string;
	last_name_native: string;
	middle_name_native: string;
}

export interface IdDocumentData {
	document_no: string;
	/** DD.MM.YYYY, or '' when the document does not expire */
	expiry_date: string;
}

export interface ResidentialAddress {
	street_line1: string;
	street_line2: string;
	city: string;
	state: string;
	country_code: string;
	post_code: string;
}

/** A pointer from an element to a sealed scan in the vault. */
export interface ScanRef {
	/** The vault's scan id (random, opaque). */
	id: string;
	/** Plain JPEG size in bytes. */
	size: number;
	/** Unix seconds when the scan was taken or chosen. */
	date: number;
	width: number;
	height: number;
}

export type FileSlot = 'front_side' | 'reverse_side' | 'selfie';

/** One element as the wallet keeps it (sealed, under record key `element:<type>`). */
export interface StoredElement {
	type: ElementType;
	/** personal_details, ID documents and address only. */
	data?: PersonalDetails | IdDocumentData | ResidentialAddress;
	front_side?: ScanRef;
	reverse_side?: ScanRef;
	selfie?: ScanRef;
	translation?: ScanRef[];
	/** Proofs of address: 1..20 scans. */
	files?: ScanRef[];
	/** International form, digits only with no '+', as the Bot API carries it (e.g. "33612345678"). */
	phone_number?: string;
	email?: string;
	/** Unix milliseconds of the last save on this or another device. */
	updatedAt: number;
}

export function elementRecordKey(type: ElementType): string {
	return `element:${type}`;
}
