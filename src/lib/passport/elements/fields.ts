/**
 * The data fields of each element type, in the order an editor shows them, with the rule each
 * follows. Keys are the Bot API's JSON keys (PROTOCOL.md section 3).
 */
import type {
	ElementType,
	IdDocumentData,
	IdDocumentType,
	PersonalDetails,
	ResidentialAddress
} from '../types.js';
import { isIdDocumentType } from '../types.js';

export type FieldKind =
	| 'latin_name'
	| 'native_name'
	| 'birth_date'
	| 'expiry_date'
	| 'gender'
	| 'country'
	| 'document_no'
	| 'street_line'
	| 'city'
	| 'post_code';

export interface FieldSpec<Key extends string = string> {
	key: Key;
	kind: FieldKind;
	/**
	 * Must be filled. Native-name fields are required only while they are shown
	 * (see nativeNamesShown); everywhere else this flag is the whole story.
	 */
	required: boolean;
}

export type ElementData = PersonalDetails | IdDocumentData | ResidentialAddress;

/** The element types that carry an encrypted data object. */
export type DataElementType = 'personal_details' | 'address' | IdDocumentType;

/** Which data object an element type carries; `never` for types that carry none. */
export type DataOf<Type extends ElementType> = Type extends 'personal_details'
	? PersonalDetails
	: Type extends 'address'
		? ResidentialAddress
		: Type extends IdDocumentType
			? IdDocumentData
			: never;

export const PERSONAL_DETAILS_FIELDS: readonly FieldSpec<keyof PersonalDetails>[] = [
	{ key: 'first_name', kind: 'latin_name', required: true },
	{ key: 'middle_name', kind: 'latin_name', required: false },
	{ key: 'last_name', kind: 'latin_name', required: true },
	{ key: 'birth_date', kind: 'birth_date', required: true },
	{ key: 'gender', kind: 'gender', required: true },
	{ key: 'country_code', kind: 'country', required: true },
	{ key: 'residence_country_code', kind: 'country', required: true },
	{ key: 'first_name_native', kind: 'native_name', required: true },
	{ key: 'middle_name_native', kind: 'native_name', required: false },
	{ key: 'last_name_native', kind: 'native_name', required: true }
];

export const ID_DOCUMENT_FIELDS: readonly FieldSpec<keyof IdDocumentData>[] = [
	{ key: 'document_no', kind: 'document_no', required: true },
	// '' means the document does not expire.
	{ key: 'expiry_date', kind: 'expiry_date', required: false }
];

export const ADDRESS_FIELDS: readonly FieldSpec<keyof ResidentialAddress>[] = [
	{ key: 'street_line1', kind: 'street_line', required: true },
	{ key: 'street_line2', kind: 'street_line', required: false },
	{ key: 'city', kind: 'city', required: true },
	{ key: 'state', kind: 'street_line', required: false },
	{ key: 'country_code', kind: 'country', required: true },
	{ key: 'post_code', kind: 'post_code', required: true }
];

/** Native-name fields and the Latin field each falls back to when it is not shown. */
export const NATIVE_NAME_FALLBACKS = {
	first_name_native: 'first_name',
	middle_name_native: 'middle_name',
	last_name_native: 'last_name'
} as const satisfies Partial<Record<keyof PersonalDetails, keyof PersonalDetails>>;

export function dataFields(type: 'personal_details'): readonly FieldSpec<keyof PersonalDetails>[];
export function dataFields(type: 'address'): readonly FieldSpec<keyof ResidentialAddress>[];
export function dataFields(type: IdDocumentType): readonly FieldSpec<keyof IdDocumentData>[];
export function dataFields(type: ElementType): readonly FieldSpec[];
export function dataFields(type: ElementType): readonly FieldSpec[] {
	if (type === 'personal_details') return PERSONAL_DETAILS_FIELDS;
	if (type === 'address') return ADDRESS_FIELDS;
	if (isIdDocumentType(type)) return ID_DOCUMENT_FIELDS;
	return [];
}

/** True for the types that carry an encrypted data object (personal details, ID documents, address). */
export function hasData(type: ElementType): type is DataElementType {
	return dataFields(type).length > 0;
}

/** Every key of the type's data object with '' (python-telegram-bot rejects missing keys). */
export function emptyData<Type extends DataElementType>(type: Type): DataOf<Type>;
export function emptyData(type: ElementType): ElementData | null;
export function emptyData(type: ElementType): ElementData | null {
	const fields = dataFields(type);
	if (fields.length === 0) return null;
	return Object.fromEntries(fields.map((field) => [field.key, ''])) as unknown as ElementData;
}
