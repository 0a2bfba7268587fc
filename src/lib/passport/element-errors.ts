/**
 * The `errors` parameter (PROTOCOL.md 5): Bot API `PassportElementError` objects a service sends
 * back with a repeated request. Parsed strictly: each source with the fields and element types
 * the Bot API allows for it, hashes as base64, a bounded message.
 */

import { isAddressDocumentType, isElementType, isIdDocumentType, type ElementType } from './types';

export type PassportElementErrorSource =
	| 'data'
	| 'front_side'
	| 'reverse_side'
	| 'selfie'
	| 'file'
	| 'files'
	| 'translation_file'
	| 'translation_files'
	| 'unspecified';

interface ErrorBase<Source extends PassportElementErrorSource> {
	source: Source;
	type: ElementType;
	message: string;
}

export type PassportElementError =
	| (ErrorBase<'data'> & { field_name: string; data_hash: string })
	| (ErrorBase<'front_side' | 'reverse_side' | 'selfie' | 'file' | 'translation_file'> & {
			file_hash: string;
	  })
	| (ErrorBase<'files' | 'translation_files'> & { file_hashes: string[] })
	| (ErrorBase<'unspecified'> & { element_hash: string });

export const MAX_ELEMENT_ERRORS = 100;
export const MAX_ERROR_MESSAGE_LENGTH = 1024;
/** Bounds the whole parameter before JSON.parse sees it. */
export const MAX_ERRORS_PARAM_LENGTH = 65536;

const DATA_TYPES = new Set<string>([
	'personal_details',
	'passport',
	'driver_license',
	'identity_card',
	'internal_passport',
	'address'
]);

/** Which element types each source may name (Bot API, PassportElementError*). */
function typeAllowed(source: PassportElementErrorSource, type: ElementType): boolean {
	switch (source) {
		case 'data':
			return DATA_TYPES.has(type);
		case 'front_side':
		case 'selfie':
			return isIdDocumentType(type);
		case 'reverse_side':
			return type === 'driver_license' || type === 'identity_card';
		case 'file':
		case 'files':
			return isAddressDocumentType(type);
		case 'translation_file':
		case 'translation_files':
			return isIdDocumentType(type) || isAddressDocumentType(type);
		case 'unspecified':
			return true;
	}
}

/** A SHA-256 as standard base64: 44 characters ending in one `=`. */
function isHash(value: unknown): value is string {
	return typeof value === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(value);
}

function parseOne(value: unknown): PassportElementError | undefined {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
	const item = value as Record<string, unknown>;
	const { source, type, message } = item;
	if (typeof source !== 'string' || !isElementType(type)) return undefined;
	if (typeof message !== 'string' || message.length > MAX_ERROR_MESSAGE_LENGTH) return undefined;
	switch (source) {
		case 'data': {
			const { field_name, data_hash } = item;
			if (typeof field_name !== 'string' || field_name.length === 0 || field_name.length > 64) {
				return undefined;
			}
			if (!isHash(data_hash) || !typeAllowed(source, type)) return undefined;
			return { source, type, message, field_name, data_hash };
		}
		case 'front_side':
		case 'reverse_side':
		case 'selfie':
		case 'file':
		case 'translation_file': {
			if (!isHash(item.file_hash) || !typeAllowed(source, type)) return undefined;
			return { source, type, message, file_hash: item.file_hash };
		}
		case 'files':
		case 'translation_files': {
			const hashes = item.file_hashes;
			if (!Array.isArray(hashes) || hashes.length === 0 || hashes.length > 20) return undefined;
			if (!hashes.every(isHash) || !typeAllowed(source, type)) return undefined;
			return { source, type, message, file_hashes: [...hashes] };
		}
		case 'unspecified': {
			if (!isHash(item.element_hash)) return undefined;
			return { source, type, message, element_hash: item.element_hash };
		}
		default:
			return undefined;
	}
}

/** undefined means the parameter is malformed (ERRORS_INVALID); an absent parameter is `[]`. */
export function parseElementErrors(
	text: string | null | undefined
): PassportElementError[] | undefined {
	if (text === null || text === undefined || text === '') return [];
	if (text.length > MAX_ERRORS_PARAM_LENGTH) return undefined;
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (!Array.isArray(json) || json.length > MAX_ELEMENT_ERRORS) return undefined;
	const errors: PassportElementError[] = [];
	for (const value of json) {
		const parsed = parseOne(value);
		if (!parsed) return undefined;
		errors.push(parsed);
	}
	return errors;
}
