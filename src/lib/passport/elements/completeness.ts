/**
 * What a consent request still needs from one stored element. The consent screen lists these parts
 * and refuses to authorize until none is left.
 */
import type { ElementType, StoredElement } from '../types.js';
import type { FieldErrorCode } from './errors.js';
import { NATIVE_NAME_FALLBACKS } from './fields.js';
import { scanRules } from './scans.js';
import { validateElement, type ValidationOptions } from './validate.js';

/** One requested element, with the flags a scope row carries (PROTOCOL.md section 2). */
export interface ElementRequest {
	type: ElementType;
	selfie?: boolean;
	translation?: boolean;
	native_names?: boolean;
}

export type ScanPart = 'front_side' | 'reverse_side' | 'selfie' | 'translation' | 'files';

export type MissingPart =
	/** A value is absent or invalid: a data field, `phone_number` or `email`. */
	| { kind: 'field'; field: string; error: FieldErrorCode }
	/** A scan, or for translation and files at least one scan, is absent. */
	| { kind: 'scan'; part: ScanPart };

const NATIVE_NAME_FIELDS: ReadonlySet<string> = new Set(Object.keys(NATIVE_NAME_FALLBACKS));
const REQUIRED_NATIVE_NAMES = ['first_name_native', 'last_name_native'] as const;

/**
 * Everything `request` needs that `element` lacks, in the order an editor shows it: fields first,
 * then scans. An element not stored yet is judged as an empty one, so the list is never empty.
 */
export function missingParts(
	element: StoredElement | undefined,
	request: ElementRequest,
	options: ValidationOptions = {}
): MissingPart[] {
	if (element && element.type !== request.type) {
		throw new Error(`Element ${element.type} does not answer a request for ${request.type}`);
	}
	const current: StoredElement = element ?? { type: request.type, updatedAt: 0 };
	const missing: MissingPart[] = [];

	for (const [field, error] of Object.entries(validateElement(current, options))) {
		// Native names matter only to a request that asks for them.
		if (error && (request.native_names || !NATIVE_NAME_FIELDS.has(field))) {
			missing.push({ kind: 'field', field, error });
		}
	}
	if (request.type === 'personal_details' && request.native_names) {
		// Where native names are not shown they are filled from the Latin ones on save; data saved
		// without them (older versions, another device) must still not be sent half empty.
		const data = (current.data ?? {}) as Record<string, unknown>;
		for (const field of REQUIRED_NATIVE_NAMES) {
			const value = data[field];
			const alreadyListed = missing.some((part) => part.kind === 'field' && part.field === field);
			if (!alreadyListed && (typeof value !== 'string' || value.trim() === '')) {
				missing.push({ kind: 'field', field, error: 'required' });
			}
		}
	}

	const rules = scanRules(request.type);
	const needs = (part: ScanPart) => missing.push({ kind: 'scan', part });
	if (rules.front_side && !current.front_side) needs('front_side');
	if (rules.reverse_side && !current.reverse_side) needs('reverse_side');
	if (rules.selfie && request.selfie && !current.selfie) needs('selfie');
	if (rules.files && !current.files?.length) needs('files');
	if (rules.translation && request.translation && !current.translation?.length)
		needs('translation');
	return missing;
}

/** True when `element` holds everything `request` asks for, all of it valid. */
export function isComplete(
	element: StoredElement | undefined,
	request: ElementRequest,
	options: ValidationOptions = {}
): boolean {
	return missingParts(element, request, options).length === 0;
}
