/**
 * The outer shapes a delivery must have, checked before anything is decrypted (PassportData) or
 * used (the credentials JSON): every key known, every value of its Bot API type, every size bounded.
 * What passes is typed for real, not by a cast.
 */

import type {
	Credentials,
	DataCredentials,
	EncryptedCredentials,
	EncryptedPassportElement,
	FileCredentials,
	PassportData,
	PassportFile,
	SecureData,
	SecureValue
} from '../passport/passport-data';
import { isElementType, type ElementType } from '../passport/types';
import { malformed, tooLarge } from './delivery-error';
import {
	ELEMENT_SHAPES,
	MAX_CREDENTIALS_DATA_LENGTH,
	MAX_ELEMENT_DATA_LENGTH,
	MAX_ELEMENTS,
	MAX_EMAIL_LENGTH,
	MAX_FILE_BYTES,
	MAX_FILE_ID_LENGTH,
	MAX_FILE_LIST,
	MAX_NONCE_LENGTH,
	MAX_SEALED_SECRET_LENGTH,
	MAX_TEXT_LENGTH
} from './limits';

type Json = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Json {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const prototype = Object.getPrototypeOf(value);
	return prototype === Object.prototype || prototype === null;
}

function object(value: unknown, path: string, keys: readonly string[]): Json {
	if (!isPlainObject(value)) malformed(path, 'is not an object');
	for (const key of Object.keys(value)) {
		if (!keys.includes(key))
			malformed(path, `has an unknown key ${JSON.stringify(key.slice(0, 40))}`);
	}
	return value;
}

function list(value: unknown, path: string, max: number): unknown[] {
	if (!Array.isArray(value)) malformed(path, 'is not an array');
	if (value.length > max) tooLarge(path, max);
	return value;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** base64 of exactly 32 bytes: every hash and every blob secret. */
const BASE64_32 = /^[A-Za-z0-9+/]{43}=$/;
const FILE_ID = /^[A-Za-z0-9_-]+$/;

function base64(value: unknown, path: string, maxLength: number): string {
	if (typeof value !== 'string') malformed(path, 'is not a string');
	if (value.length > maxLength) tooLarge(path, maxLength);
	if (value.length === 0 || !BASE64.test(value)) malformed(path, 'is not base64');
	return value;
}

function hash32(value: unknown, path: string): string {
	if (typeof value !== 'string' || !BASE64_32.test(value)) {
		malformed(path, 'is not the base64 of 32 bytes');
	}
	return value;
}

/**
 * A data, file or credentials hash: base64, short. Its length is decryptBlob's to judge, so a
 * wrong hash is reported as HASH_MISMATCH like any other wrong hash (python-telegram-bot's
 * test_wrong_hash).
 */
function blobHash(value: unknown, path: string): string {
	return base64(value, path, 88);
}

function fileId(value: unknown, path: string): string {
	if (typeof value !== 'string') malformed(path, 'is not a string');
	if (value.length > MAX_FILE_ID_LENGTH) tooLarge(path, MAX_FILE_ID_LENGTH);
	if (!FILE_ID.test(value)) malformed(path, 'is not a file id');
	return value;
}

function integer(value: unknown, path: string, max: number): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
		malformed(path, `is not an integer from 0 to ${max}`);
	}
	return value;
}

const FILE_KEYS = ['file_id', 'file_unique_id', 'file_size', 'file_date'] as const;

/**
 * file_unique_id and file_size are optional: Telegram's own older samples lack them (the kit reads
 * python-telegram-bot's). When file_size is there, the delivered bytes must match it.
 */
function passportFile(value: unknown, path: string, seen: Set<string>): PassportFile {
	const file = object(value, path, FILE_KEYS);
	const id = fileId(file.file_id, `${path}.file_id`);
	if (seen.has(id)) malformed(path, 'repeats a file id');
	seen.add(id);
	if (file.file_unique_id !== undefined) fileId(file.file_unique_id, `${path}.file_unique_id`);
	if (file.file_size !== undefined) integer(file.file_size, `${path}.file_size`, MAX_FILE_BYTES);
	integer(file.file_date, `${path}.file_date`, 2 ** 40);
	return file as unknown as PassportFile;
}

function element(value: unknown, path: string, seenFiles: Set<string>): EncryptedPassportElement {
	if (!isPlainObject(value)) malformed(path, 'is not an object');
	const type = value.type;
	if (!isElementType(type)) malformed(`${path}.type`, 'is not an element type');
	const shape = ELEMENT_SHAPES[type];
	const keys = ['type', 'hash', ...(shape.value ? [shape.value] : [])];
	if (shape.data) keys.push('data');
	keys.push(...shape.singles, ...shape.lists);
	object(value, `${path} (${type})`, keys);
	// Telegram's own samples have none; decryptPassportData asks for it when it verifies hashes.
	if (value.hash !== undefined) hash32(value.hash, `${path}.hash`);
	if (shape.value) {
		const limit = shape.value === 'email' ? MAX_EMAIL_LENGTH : MAX_TEXT_LENGTH;
		const text = value[shape.value];
		if (typeof text !== 'string') malformed(`${path}.${shape.value}`, 'is not a string');
		if (text.length > limit) tooLarge(`${path}.${shape.value}`, limit);
	}
	if (value.data !== undefined || shape.data === 'required') {
		base64(value.data, `${path}.data`, MAX_ELEMENT_DATA_LENGTH);
	}
	for (const part of shape.singles) {
		if (value[part] !== undefined) passportFile(value[part], `${path}.${part}`, seenFiles);
	}
	for (const part of shape.lists) {
		if (value[part] === undefined) continue;
		list(value[part], `${path}.${part}`, MAX_FILE_LIST).forEach((file, index) =>
			passportFile(file, `${path}.${part}[${index}]`, seenFiles)
		);
	}
	return value as unknown as EncryptedPassportElement;
}

/** The PassportData as delivered, before decryption. */
export function checkPassportData(value: unknown): PassportData {
	const data = object(value, 'passport_data', ['data', 'credentials']);
	const elements = list(data.data, 'passport_data.data', MAX_ELEMENTS);
	if (elements.length === 0) malformed('passport_data.data', 'is empty');
	const seenTypes = new Set<ElementType>();
	const seenFiles = new Set<string>();
	elements.forEach((item, index) => {
		const checked = element(item, `data[${index}]`, seenFiles);
		if (seenTypes.has(checked.type)) malformed(`data[${index}]`, `repeats ${checked.type}`);
		seenTypes.add(checked.type);
	});
	const credentials = object(data.credentials, 'credentials', ['data', 'hash', 'secret']);
	base64(credentials.data, 'credentials.data', MAX_CREDENTIALS_DATA_LENGTH);
	blobHash(credentials.hash, 'credentials.hash');
	base64(credentials.secret, 'credentials.secret', MAX_SEALED_SECRET_LENGTH);
	return data as unknown as PassportData & { credentials: EncryptedCredentials };
}

function blobCredentials(value: unknown, path: string, hashKey: 'data_hash' | 'file_hash') {
	const checked = object(value, path, [hashKey, 'secret']);
	blobHash(checked[hashKey], `${path}.${hashKey}`);
	hash32(checked.secret, `${path}.secret`);
	return checked;
}

function secureValue(value: unknown, path: string, type: ElementType): SecureValue {
	const shape = ELEMENT_SHAPES[type];
	const keys: string[] = [...shape.singles, ...shape.lists];
	if (shape.data) keys.push('data');
	const checked = object(value, path, keys);
	if (checked.data !== undefined) {
		blobCredentials(checked.data, `${path}.data`, 'data_hash') as unknown as DataCredentials;
	}
	for (const part of shape.singles) {
		if (checked[part] !== undefined) blobCredentials(checked[part], `${path}.${part}`, 'file_hash');
	}
	for (const part of shape.lists) {
		if (checked[part] === undefined) continue;
		list(checked[part], `${path}.${part}`, MAX_FILE_LIST).forEach(
			(item, index) =>
				blobCredentials(
					item,
					`${path}.${part}[${index}]`,
					'file_hash'
				) as unknown as FileCredentials
		);
	}
	return checked as SecureValue;
}

/**
 * The decrypted credentials JSON: secure_data holds an entry for each element sent that has one
 * (all but phone_number and email), and nothing else.
 */
export function checkCredentials(value: unknown, passportData: PassportData): Credentials {
	const credentials = object(value, 'credentials', ['secure_data', 'nonce', 'payload']);
	const nonce = credentials.nonce;
	if (typeof nonce !== 'string' || nonce.length === 0)
		malformed('credentials.nonce', 'is not a string');
	if (nonce.length > MAX_NONCE_LENGTH) tooLarge('credentials.nonce', MAX_NONCE_LENGTH);
	// Legacy requests carry the nonce twice (PROTOCOL.md 2.3); two different values mean nothing.
	if (credentials.payload !== undefined && credentials.payload !== nonce) {
		malformed('credentials.payload', 'differs from the nonce');
	}
	const sent = passportData.data
		.map((item) => item.type)
		.filter((type) => !ELEMENT_SHAPES[type].value);
	const secureData = object(credentials.secure_data, 'credentials.secure_data', sent);
	for (const type of sent) {
		secureValue(secureData[type], `credentials.secure_data.${type}`, type);
	}
	return credentials as unknown as Credentials & { secure_data: SecureData };
}
