/**
 * Delivery of a built response (PROTOCOL.md 4.3, Papiers' own: Telegram used the Bot API).
 * - form_post: the fields of a top-level form POST to callback_url;
 * - fragment: callback_url#tg_passport=success&data=…&hash=…&secret=…, refused past 1.5 MB.
 *   A URL ends up in history (and synced history), so nothing in it may be readable: the whole
 *   payload {"passport_data":…,"files":…} — which in Telegram's format carries phone_number and
 *   email in clear — is one blob encrypted like Telegram's credentials (PROTOCOL.md 4.1: fresh
 *   secret, AES-256-CBC, SHA-256 of the padded plaintext as `hash`), its secret sealed with
 *   RSA-OAEP to the service's key. `data`, `hash` and `secret` are base64url. Only the holder of
 *   the private key (the service kit) can read any of it.
 * The readers are here too, so the wallet and the service kit share one definition of the format.
 */

import { fromBase64, toBase64, toBase64Url, utf8Decode, utf8Encode } from '../crypto/bytes';
import { encryptBlob } from './blob-crypto';
import type { PassportData } from './passport-data';
import { rsaOaepEncrypt } from './rsa-oaep';

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

/** The fragment's encrypted payload: Telegram's {data, hash, secret}, as bytes. */
export interface FragmentEnvelope {
	/** AES-256-CBC ciphertext of the padded payload JSON. */
	data: Uint8Array;
	/** SHA-256 of the padded plaintext. */
	hash: Uint8Array;
	/** The blob's 32-byte secret, RSA-OAEP-encrypted to the service's key. */
	secret: Uint8Array;
}

/**
 * The URL to navigate to for `response_mode=fragment`, its payload sealed to the service key
 * (`spki`, DER SubjectPublicKeyInfo); throws FragmentTooLargeError before encrypting anything big.
 */
export async function encodeFragmentUrl(
	options: DeliveryContent & { callbackUrl: string; publicKey: Uint8Array; maxLength?: number }
): Promise<string> {
	const { callbackUrl, passportData, files } = options;
	const limit = options.maxLength ?? MAX_FRAGMENT_LENGTH;
	// Rough size first, so a 50 MB response is refused before it is base64-encoded twice.
	const rawSize = Object.values(files).reduce((sum, bytes) => sum + bytes.length, 0);
	if ((rawSize * 4) / 3 > limit)
		throw new FragmentTooLargeError(Math.ceil((rawSize * 16) / 9), limit);
	const encodedFiles: Record<string, string> = {};
	for (const [fileId, bytes] of Object.entries(files)) encodedFiles[fileId] = toBase64(bytes);
	const payload = JSON.stringify({ passport_data: passportData, files: encodedFiles });
	// The exact length is known before encrypting: padding brings the plaintext to 32..47 bytes
	// more, a multiple of 16; base64url of n bytes is ceil(4n/3) characters.
	const base = callbackUrl.split('#')[0];
	const payloadLength = utf8Encode(payload).length;
	const cipherLength = payloadLength + 32 + ((16 - ((payloadLength + 32) % 16)) % 16);
	const estimate = base.length + 80 + Math.ceil((cipherLength * 4) / 3) + 700;
	if (estimate > limit) throw new FragmentTooLargeError(estimate, limit);
	const blob = await encryptBlob(utf8Encode(payload));
	const secret = await rsaOaepEncrypt({ spki: options.publicKey, data: blob.secret });
	// The callback's own fragment, if any, gives way: the response occupies the whole fragment.
	const url =
		`${base}#tg_passport=success&data=${toBase64Url(blob.ciphertext)}` +
		`&hash=${toBase64Url(blob.hash)}&secret=${toBase64Url(secret)}`;
	if (url.length > limit) throw new FragmentTooLargeError(url.length, limit);
	return url;
}

/** Thrown by the readers below on anything that is not a well-formed delivery. */
export class DeliveryFormatError extends Error {
	constructor(
		message: string,
		readonly code: 'DELIVERY_MALFORMED' | 'DELIVERY_TOO_LARGE' = 'DELIVERY_MALFORMED'
	) {
		super(message);
		this.name = 'DeliveryFormatError';
	}
}

export type DeliveryOutcome = Outcome<DeliveryContent>;

type Outcome<Success> =
	({ status: 'success' } & Success) | { status: 'cancel' } | { status: 'error'; code: string };

function outcomeOf<Success>(
	status: string | null,
	errorCode: string | null,
	success: () => Success
): Outcome<Success> {
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

export type FragmentOutcome = Outcome<{ envelope: FragmentEnvelope }>;

/**
 * Reads a fragment delivery (`location.hash`, with or without `#`): the sealed envelope, for the
 * service kit to open with its private key and hand to readFragmentPayload.
 */
export function readFragment(fragment: string): FragmentOutcome {
	// A little over the wallet's own limit, for the callback's path; anything longer is not ours.
	if (fragment.length > MAX_FRAGMENT_LENGTH + 4096) {
		throw new DeliveryFormatError('The fragment is larger than any delivery', 'DELIVERY_TOO_LARGE');
	}
	const params = new URLSearchParams(fragment.startsWith('#') ? fragment.slice(1) : fragment);
	return outcomeOf(params.get('tg_passport'), params.get('error'), () => {
		if (params.has('passport_data')) {
			// The format before issue 9 carried the payload readable; nothing sends it any more.
			throw new DeliveryFormatError('passport_data in a URL is refused: it must be sealed');
		}
		return {
			envelope: {
				data: decodeBase64Field(params.get('data') ?? undefined, 'data'),
				hash: decodeBase64Field(params.get('hash') ?? undefined, 'hash'),
				secret: decodeBase64Field(params.get('secret') ?? undefined, 'secret')
			}
		};
	});
}

/** The decrypted envelope: {"passport_data":…,"files":{file_id: base64}}. */
export function readFragmentPayload(plain: Uint8Array): DeliveryContent {
	let payload: unknown;
	try {
		payload = JSON.parse(utf8Decode(plain));
	} catch {
		throw new DeliveryFormatError('The fragment payload is not JSON');
	}
	if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
		throw new DeliveryFormatError('The fragment payload is not an object');
	}
	const {
		passport_data: passportData,
		files: encodedFiles = {},
		...rest
	} = payload as {
		passport_data?: unknown;
		files?: unknown;
	};
	if (Object.keys(rest).length > 0)
		throw new DeliveryFormatError('The fragment payload has extra keys');
	const files: Record<string, Uint8Array> = {};
	if (typeof encodedFiles !== 'object' || encodedFiles === null || Array.isArray(encodedFiles)) {
		throw new DeliveryFormatError('files is not an object');
	}
	for (const [fileId, value] of Object.entries(encodedFiles)) {
		files[fileId] = decodeBase64Field(value, `file ${fileId}`);
	}
	return { passportData: checkPassportData(passportData), files };
}
