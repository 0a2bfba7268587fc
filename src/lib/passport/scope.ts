/**
 * Scope parsing (PROTOCOL.md section 2): the full form `{"v":1,"data":[…]}`, the compact form
 * `{"v":1,"d":[…]}` that Telegram's JS SDK puts in URLs, and the legacy JSON array, all into
 * one model: ordered rows, each one element type or a one-of among document types.
 * Validation follows PROTOCOL.md 2.4; anything it does not accept is SCOPE_INVALID.
 */

import { isAddressDocumentType, isElementType, isIdDocumentType, type ElementType } from './types';

/** One element type as the service asked for it; the same shape as elements/ ElementRequest. */
export interface ScopeElement {
	type: ElementType;
	selfie: boolean;
	translation: boolean;
	native_names: boolean;
}

/**
 * One line of the consent screen. `oneOf` rows let the person pick any one of `options`
 * (all ID documents or all proofs of address); other rows have exactly one option.
 */
export interface ScopeRow {
	oneOf: boolean;
	options: ScopeElement[];
}

export type ScopeEncoding = 'full' | 'compact' | 'legacy';

export interface Scope {
	encoding: ScopeEncoding;
	rows: ScopeRow[];
}

export type ScopeResult =
	{ ok: true; scope: Scope } | { ok: false; code: 'SCOPE_EMPTY' | 'SCOPE_INVALID' };

/** The URL carries the scope; no honest scope of 13 types comes near this size. */
export const MAX_SCOPE_LENGTH = 8192;

const ID_DOCUMENT_ALIAS: ElementType[] = ['passport', 'driver_license', 'identity_card'];
const ADDRESS_DOCUMENT_ALIAS: ElementType[] = [
	'utility_bill',
	'bank_statement',
	'rental_agreement'
];

const ALIASES: Record<string, ElementType[]> = {
	id_document: ID_DOCUMENT_ALIAS,
	address_document: ADDRESS_DOCUMENT_ALIAS
};

const COMPACT_NAMES: Record<string, string> = {
	pd: 'personal_details',
	pp: 'passport',
	dl: 'driver_license',
	ic: 'identity_card',
	ip: 'internal_passport',
	idd: 'id_document',
	ad: 'address',
	ub: 'utility_bill',
	bs: 'bank_statement',
	ra: 'rental_agreement',
	pr: 'passport_registration',
	tr: 'temporary_registration',
	add: 'address_document',
	pn: 'phone_number',
	em: 'email'
};

/** The key names of one encoding. */
interface Dialect {
	typeKey: string;
	/** Full form names a one-of with its own key; compact form puts an array under `_`. */
	oneOfKey: string;
	selfieKey: string;
	translationKey: string;
	nativeNamesKey: string;
	resolveName(name: string): string;
}

const FULL: Dialect = {
	typeKey: 'type',
	oneOfKey: 'one_of',
	selfieKey: 'selfie',
	translationKey: 'translation',
	nativeNamesKey: 'native_names',
	resolveName: (name) => name
};

const COMPACT: Dialect = {
	typeKey: '_',
	oneOfKey: '_',
	selfieKey: 's',
	translationKey: 't',
	nativeNamesKey: 'n',
	// The SDK writes short names, but a hand-written compact scope may use full ones.
	resolveName: (name) => (Object.hasOwn(COMPACT_NAMES, name) ? COMPACT_NAMES[name] : name)
};

class ScopeInvalid extends Error {}

interface Flags {
	selfie: boolean;
	translation: boolean;
	native_names: boolean;
}

const NO_FLAGS: Flags = { selfie: false, translation: false, native_names: false };

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Flags are booleans in the full form and 1/0 in the compact one; accept both, nothing else. */
function readFlag(item: Record<string, unknown>, key: string): boolean {
	if (!Object.hasOwn(item, key)) return false;
	const value = item[key];
	if (value === true || value === 1) return true;
	if (value === false || value === 0) return false;
	throw new ScopeInvalid();
}

function readFlags(item: Record<string, unknown>, dialect: Dialect): Flags {
	return {
		selfie: readFlag(item, dialect.selfieKey),
		translation: readFlag(item, dialect.translationKey),
		native_names: readFlag(item, dialect.nativeNamesKey)
	};
}

function mergeFlags(a: Flags, b: Flags): Flags {
	return {
		selfie: a.selfie || b.selfie,
		translation: a.translation || b.translation,
		native_names: a.native_names || b.native_names
	};
}

/** A type or alias name to the element types it stands for. */
function resolveTypes(name: unknown, dialect: Dialect): { types: ElementType[]; alias: boolean } {
	if (typeof name !== 'string') throw new ScopeInvalid();
	const resolved = dialect.resolveName(name);
	if (Object.hasOwn(ALIASES, resolved)) return { types: ALIASES[resolved], alias: true };
	if (!isElementType(resolved)) throw new ScopeInvalid();
	return { types: [resolved], alias: false };
}

function elementsOf(types: ElementType[], flags: Flags): ScopeElement[] {
	return types.map((type) => ({ type, ...flags }));
}

/** A member of a one-of: a name, or an object naming one type (no nested one-of). */
function parseOneOfMember(member: unknown, dialect: Dialect, outer: Flags): ScopeElement[] {
	if (typeof member === 'string') return elementsOf(resolveTypes(member, dialect).types, outer);
	if (!isPlainObject(member)) throw new ScopeInvalid();
	if (dialect === FULL && Object.hasOwn(member, FULL.oneOfKey)) throw new ScopeInvalid();
	const name = member[dialect.typeKey];
	if (typeof name !== 'string') throw new ScopeInvalid();
	const flags = mergeFlags(readFlags(member, dialect), outer);
	return elementsOf(resolveTypes(name, dialect).types, flags);
}

function parseOneOf(members: unknown, dialect: Dialect, outer: Flags): ScopeRow {
	if (!Array.isArray(members) || members.length === 0) throw new ScopeInvalid();
	const options = members.flatMap((member) => parseOneOfMember(member, dialect, outer));
	return { oneOf: options.length > 1, options };
}

function parseRow(item: unknown, dialect: Dialect): ScopeRow {
	if (typeof item === 'string') {
		const { types, alias } = resolveTypes(item, dialect);
		return { oneOf: alias, options: elementsOf(types, NO_FLAGS) };
	}
	if (!isPlainObject(item)) throw new ScopeInvalid();
	const flags = readFlags(item, dialect);
	if (dialect === FULL) {
		const hasType = Object.hasOwn(item, FULL.typeKey);
		const hasOneOf = Object.hasOwn(item, FULL.oneOfKey);
		if (hasType === hasOneOf) throw new ScopeInvalid();
		if (hasOneOf) return parseOneOf(item.one_of, dialect, flags);
	}
	const name = item[dialect.typeKey];
	// Only the compact form writes a one-of as an array under its type key.
	if (dialect === COMPACT && Array.isArray(name)) return parseOneOf(name, dialect, flags);
	const { types, alias } = resolveTypes(name, dialect);
	return { oneOf: alias, options: elementsOf(types, flags) };
}

function checkOption(option: ScopeElement): void {
	const isId = isIdDocumentType(option.type);
	const isDocument = isId || isAddressDocumentType(option.type);
	if (option.selfie && !isId) throw new ScopeInvalid();
	if (option.translation && !isDocument) throw new ScopeInvalid();
	if (option.native_names && option.type !== 'personal_details') throw new ScopeInvalid();
}

function checkRows(rows: ScopeRow[]): void {
	const seen = new Set<ElementType>();
	for (const row of rows) {
		for (const option of row.options) {
			if (seen.has(option.type)) throw new ScopeInvalid();
			seen.add(option.type);
			checkOption(option);
		}
		if (row.options.length > 1) {
			const allId = row.options.every((option) => isIdDocumentType(option.type));
			const allAddress = row.options.every((option) => isAddressDocumentType(option.type));
			if (!allId && !allAddress) throw new ScopeInvalid();
		}
	}
}

function parseLegacy(items: unknown[]): ScopeRow[] {
	return items.map((item) => {
		// The legacy form predates aliases and flags: full type names only.
		if (!isElementType(item)) throw new ScopeInvalid();
		return { oneOf: false, options: [{ type: item, ...NO_FLAGS }] };
	});
}

function parseVersioned(value: Record<string, unknown>): {
	encoding: ScopeEncoding;
	rows: ScopeRow[];
} {
	if (value.v !== 1) throw new ScopeInvalid();
	const hasFull = Object.hasOwn(value, 'data');
	const hasCompact = Object.hasOwn(value, 'd');
	if (hasFull === hasCompact) throw new ScopeInvalid();
	const items = hasFull ? value.data : value.d;
	if (!Array.isArray(items)) throw new ScopeInvalid();
	const dialect = hasFull ? FULL : COMPACT;
	return {
		encoding: hasFull ? 'full' : 'compact',
		rows: items.map((item) => parseRow(item, dialect))
	};
}

/** Parses the `scope` parameter (already URL-decoded). Never throws. */
export function parseScope(text: string | null | undefined): ScopeResult {
	if (text === null || text === undefined || text.trim() === '') {
		return { ok: false, code: 'SCOPE_EMPTY' };
	}
	if (text.length > MAX_SCOPE_LENGTH) return { ok: false, code: 'SCOPE_INVALID' };
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		return { ok: false, code: 'SCOPE_INVALID' };
	}
	try {
		let parsed: { encoding: ScopeEncoding; rows: ScopeRow[] };
		if (Array.isArray(json)) parsed = { encoding: 'legacy', rows: parseLegacy(json) };
		else if (isPlainObject(json)) parsed = parseVersioned(json);
		else return { ok: false, code: 'SCOPE_INVALID' };
		if (parsed.rows.length === 0) return { ok: false, code: 'SCOPE_EMPTY' };
		checkRows(parsed.rows);
		return { ok: true, scope: parsed };
	} catch (error) {
		if (error instanceof ScopeInvalid) return { ok: false, code: 'SCOPE_INVALID' };
		throw error;
	}
}

/** Every element type a scope can make the wallet send. */
export function scopeTypes(scope: Scope): ElementType[] {
	return scope.rows.flatMap((row) => row.options.map((option) => option.type));
}
