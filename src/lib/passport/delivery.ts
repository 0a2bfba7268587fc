/**
 * Delivery of a built response (PROTOCOL.md 4.3, Papiers' own: Telegram used the Bot API).
 * - form_post: the fields of a top-level form POST to callback_url;
 * - fragment: callback_url#tg_passport=success&passport_data=<base64url JSON>, refused past 1.5 MB.
 * The readers are here too, so the wallet and the service kit share one definition of the format.
 */

import { fromBase64, toBase64, toBase64Url, utf8Decode, utf8Encode } from '../crypto/bytes';
import type { PassportData } from './passport-data';

/** Browsers cope with longer URLs, but nothing of this size should travel in one. */
export const MAX_FRAGMENT_LENGTH = 1.5 * 1024 * 1024;

export class FragmentTooLargeError extends Error {
	readonly code = 'FRAGMENT_TOO_LARGE';
	constructor(
		readonly length: number,
		readonly limit: number
	) {
		super(`The response would make a ${length}-character URL; the limit is ${limit}`);
		this.name = 'FragmentTooLargeError';
	}
}

export interface DeliveryContent {
	passportData: PassportData;
	/** Encrypted file bytes by file_id. */
	files: Record<string, Uint8Array>;
}

export const FILE_FIELD_PREFIX = 'file_';

/** The form's fields, in order: tg_passport, passport_data, then one file_<file_id> per file. */
export function encodeFormPost(content: DeliveryContent): [name: string, value: string][] {
	const fields: [string, string][] = [
		['tg_passport', 'success'],
		['passport_data', JSON.stringify(content.passportData)]
	];
	for (const [fileId, bytes] of Object.entries(content.files)) {
		fields.push([`${FILE_FIELD_PREFIX}${fileId}`, toBase64(bytes)]);
	}
	return fields;
}

/** The same fields as an application/x-www-form-urlencoded body (for fetch and tests). */
export function encodeFormPostBody(content: DeliveryContent): string {
	return new URLSearchParams(encodeFormPost(content)).toString();
}

/** The URL to navigate to for `response_mode=fragment`; throws FragmentTooLargeError. */
export function encodeFragmentUrl(
	options: DeliveryContent & { callbackUrl: string; maxLength?: number }
): string {
	const { callbackUrl, passportData, files } = options;
	const limit = options.maxLength ?? MAX_FRAGMENT_LENGTH;
	// Rough size first, so a 50 MB response is refused before it is base64-encoded twice.
	const rawSize = Object.values(files).reduce((sum, bytes) => sum + bytes.length, 0);
	if ((rawSize * 4) / 3 > limit)
		throw new FragmentTooLargeError(Math.ceil((rawSize * 16) / 9), limit);
	const encodedFiles: Record<string, string> = {};
	for (const [fileId, bytes] of Object.entries(files)) encodedFiles[fileId] = toBase64(bytes);
	const payload = JSON.stringify({ passport_data: passportData, files: encodedFiles });
	const base = callbackUrl.split('#')[0];
	// The callback's own fragment, if any, gives way: the response occupies the whole fragment.
	const url = `${base}#tg_passport=success&passport_data=${toBase64Url(utf8Encode(payload))}`;
	if (url.length > limit) throw new FragmentTooLargeError(url.length, limit);
	return url;
}

/** Thrown by the readers below on anything that is not a well-formed delivery. */
export class DeliveryFormatError extends Error {
	readonly code = 'DELIVERY_MALFORMED';
	constructor(message: string) {
		super(message);
		this.name = 'DeliveryFormatError';
	}
}

export type DeliveryOutcome =
	| ({ status: 'success' } & DeliveryContent)
	| { status: 'cancel' }
	| { status: 'error'; code: string };

function outcomeOf(
	status: string | null,
	errorCode: string | null,
	success: () => DeliveryContent
): DeliveryOutcome {
	if (status === 'cancel') return { status: 'cancel' };
	if (status === 'error') {
		const code = errorCode ?? '';
		if (!/^[A-Z0-9_]{1,64}$/.test(code)) throw new DeliveryFormatError('Bad error code');
		return { status: 'error', code };
	}
	if (status !== 'success') throw new DeliveryFormatError('tg_passport is missing or unknown');
	return { status: 'success', ...success() };
}

function checkPassportData(value: unknown): PassportData {
	const data = value as PassportData;
	if (
		typeof value !== 'object' ||
		value === null ||
		!Array.isArray(data.data) ||
		typeof data.credentials !== 'object' ||
		data.credentials === null
	) {
		throw new DeliveryFormatError('passport_data is not a PassportData object');
	}
	return data;
}

function parsePassportDataJson(text: string | null): PassportData {
	if (text === null) throw new DeliveryFormatError('passport_data is missing');
	try {
		return checkPassportData(JSON.parse(text));
	} catch (error) {
		if (error instanceof DeliveryFormatError) throw error;
		throw new DeliveryFormatError('passport_data is not JSON');
	}
}

function decodeBase64Field(text: unknown, what: string): Uint8Array {
	if (typeof text !== 'string') throw new DeliveryFormatError(`${what} is not a string`);
	try {
		return fromBase64(text);
	} catch {
		throw new DeliveryFormatError(`${what} is not base64`);
	}
}

/** Reads form_post fields (URLSearchParams, a record, or name/value pairs). */
export function readFormPost(
	fields: URLSearchParams | Record<string, string> | [string, string][]
): DeliveryOutcome {
	const params = fields instanceof URLSearchParams ? fields : new URLSearchParams(fields);
	return outcomeOf(params.get('tg_passport'), params.get('error'), () => {
		const files: Record<string, Uint8Array> = {};
		for (const [name, value] of params) {
			if (!name.startsWith(FILE_FIELD_PREFIX)) continue;
			const fileId = name.slice(FILE_FIELD_PREFIX.length);
			if (Object.hasOwn(files, fileId)) throw new DeliveryFormatError('A file field is repeated');
			files[fileId] = decodeBase64Field(value, name);
		}
		return { passportData: parsePassportDataJson(params.get('passport_data')), files };
	});
}

/** Reads a fragment delivery (`location.hash`, with or without `#`). */
export function readFragment(fragment: string): DeliveryOutcome {
	const params = new URLSearchParams(fragment.startsWith('#') ? fragment.slice(1) : fragment);
	return outcomeOf(params.get('tg_passport'), params.get('error'), () => {
		const encoded = params.get('passport_data');
		if (encoded === null) throw new DeliveryFormatError('passport_data is missing');
		let payload: { passport_data?: unknown; files?: unknown };
		try {
			payload = JSON.parse(utf8Decode(fromBase64(encoded)));
		} catch {
			throw new DeliveryFormatError('passport_data is not base64url JSON');
		}
		if (typeof payload !== 'object' || payload === null) {
			throw new DeliveryFormatError('passport_data is not an object');
		}
		const passportData = checkPassportData(payload.passport_data);
		const files: Record<string, Uint8Array> = {};
		const encodedFiles = payload.files ?? {};
		if (typeof encodedFiles !== 'object' || encodedFiles === null || Array.isArray(encodedFiles)) {
			throw new DeliveryFormatError('files is not an object');
		}
		for (const [fileId, value] of Object.entries(encodedFiles)) {
			files[fileId] = decodeBase64Field(value, `file ${fileId}`);
		}
		return { passportData, files };
	});
}
