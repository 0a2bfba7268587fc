/**
 * Service side of a delivery (PROTOCOL.md 6): decrypt PassportData with the service's private key
 * into plain values and file bytes, checking every hash (credentials, data, files, and the element
 * hash Papiers defines) and the nonce. Same algorithm as Telegram's guide
 * (core.telegram.org/passport#decrypting-data), on WebCrypto, so it runs in Node and browsers.
 */

import { fromBase64, utf8Decode } from '../crypto/bytes';
import { BlobIntegrityError, decryptBlob } from '../passport/blob-crypto';
import { elementHashOfParts, elementHashOfValue } from '../passport/element-hash';
import type {
	Credentials,
	EncryptedPassportElement,
	FileCredentials,
	PassportData,
	PassportFile,
	SecureValue
} from '../passport/passport-data';
import type { ElementType } from '../passport/types';
import { checkElementData, checkEmail, checkPhoneNumber } from './data-types';
import { DeliveryError, malformed, tooLarge } from './delivery-error';
import { MAX_DELIVERY_FILES, MAX_FILE_BYTES } from './limits';
import type { NonceVerdict } from './nonce-store';
import { importServicePrivateKey } from './private-key';
import { checkCredentials, checkPassportData, isPlainObject } from './shape';

export interface DecryptedFile extends Omit<PassportFile, 'file_unique_id' | 'file_size'> {
	/** Always from Papiers; absent in Telegram's older data. */
	file_unique_id?: string;
	/** Encrypted size in bytes; always from Papiers, absent in Telegram's older data. */
	file_size?: number;
	/** For decrypting later with decryptFile when the bytes were not at hand. */
	credentials: FileCredentials;
	/** The plain file (JPEG for Papiers), when its encrypted bytes were provided. */
	bytes?: Uint8Array;
}

export interface DecryptedElement {
	type: ElementType;
	/** The decrypted data object (personal details, ID document fields, address). */
	data?: Record<string, string>;
	phone_number?: string;
	email?: string;
	front_side?: DecryptedFile;
	reverse_side?: DecryptedFile;
	selfie?: DecryptedFile;
	files?: DecryptedFile[];
	translation?: DecryptedFile[];
	hash: string;
}

export interface DecryptedPassport {
	nonce: string;
	/** Legacy requests only. */
	payload?: string;
	/** In the order the wallet sent them (the scope's row order). */
	elements: DecryptedElement[];
	byType: Partial<Record<ElementType, DecryptedElement>>;
	credentials: Credentials;
}

/**
 * What the service knows about the nonce (PROTOCOL.md 6). One of the two is required, by the types
 * and at run time: a delivery anyone can make is only worth something once tied to a request the
 * service sent, from the browser that is now posting it.
 */
export type ConsumeNonce = (
	nonce: string
) => boolean | NonceVerdict | Promise<boolean | NonceVerdict>;

export type NonceCheck =
	| {
			/** Refuse unless the credentials carry exactly this nonce (e.g. kept in the session). */
			expectedNonce: string;
			consumeNonce?: ConsumeNonce;
	  }
	| {
			expectedNonce?: string;
			/**
			 * One-time check, called last, after everything else verified: return true or 'accepted'
			 * to accept (and spend) it; 'other_session' or false to refuse. A NonceStore's
			 * `(nonce) => store.redeem(nonce, sessionId)` fits.
			 */
			consumeNonce: ConsumeNonce;
	  };

export interface DecryptPassportDataBase {
	/** PEM (PKCS#8 or PKCS#1), or a key already imported for RSA-OAEP/SHA-1 decryption. */
	privateKey: string | CryptoKey;
	/** As delivered; checked key by key before anything is decrypted. */
	passportData: PassportData;
	/**
	 * Encrypted file bytes by file_id. When given, every file must be there and is decrypted;
	 * when omitted (Bot API style), files keep only their credentials for decryptFile.
	 */
	files?: Record<string, Uint8Array>;
	/**
	 * Check each element's `hash` as Papiers defines it (PROTOCOL.md 4.2). Default true; turn off
	 * for data made by Telegram's servers, whose element hash is computed differently.
	 */
	verifyElementHashes?: boolean;
}

export type DecryptPassportDataOptions = DecryptPassportDataBase & NonceCheck;

/** For JS callers, whom the types do not stop: no nonce check is a bug, not a delivery to refuse. */
export function requireNonceCheck(options: { expectedNonce?: unknown; consumeNonce?: unknown }) {
	const { expectedNonce, consumeNonce } = options;
	if (expectedNonce !== undefined && (typeof expectedNonce !== 'string' || expectedNonce === '')) {
		throw new TypeError('expectedNonce must be the non-empty nonce the request was sent with');
	}
	if (consumeNonce !== undefined && typeof consumeNonce !== 'function') {
		throw new TypeError('consumeNonce must be a function');
	}
	if (expectedNonce === undefined && consumeNonce === undefined) {
		throw new TypeError(
			'Give expectedNonce or consumeNonce: without a nonce check anyone can make a delivery'
		);
	}
}

function base64Field(value: unknown, what: string): Uint8Array {
	if (typeof value !== 'string') malformed(what, 'is missing');
	try {
		return fromBase64(value);
	} catch {
		malformed(what, 'is not base64');
	}
}

async function openBlob(
	ciphertext: Uint8Array,
	secret: Uint8Array,
	hash: Uint8Array,
	what: string
) {
	try {
		return await decryptBlob({ ciphertext, secret, hash });
	} catch (error) {
		if (error instanceof BlobIntegrityError) {
			throw new DeliveryError('HASH_MISMATCH', `${what}: ${error.message}`);
		}
		throw new DeliveryError('HASH_MISMATCH', `${what} does not decrypt`);
	}
}

function parseJson(bytes: Uint8Array, what: string): unknown {
	try {
		return JSON.parse(utf8Decode(bytes));
	} catch {
		malformed(what, 'is not JSON');
	}
}

async function decryptCredentials(
	key: CryptoKey,
	passportData: PassportData
): Promise<Credentials> {
	const encrypted = passportData.credentials;
	let secret: Uint8Array;
	try {
		secret = new Uint8Array(
			await globalThis.crypto.subtle.decrypt(
				{ name: 'RSA-OAEP' },
				key,
				base64Field(encrypted.secret, 'credentials.secret') as BufferSource
			)
		);
	} catch {
		throw new DeliveryError('CREDENTIALS_UNREADABLE', 'The credentials secret is not for this key');
	}
	const plain = await openBlob(
		base64Field(encrypted.data, 'credentials.data'),
		secret,
		base64Field(encrypted.hash, 'credentials.hash'),
		'credentials'
	);
	return checkCredentials(parseJson(plain, 'credentials'), passportData);
}

/** The delivered file bytes, bounded before any is decrypted. */
function checkFiles(files: unknown): Record<string, Uint8Array> | undefined {
	if (files === undefined) return undefined;
	if (!isPlainObject(files)) malformed('files', 'is not an object');
	const entries = Object.entries(files);
	if (entries.length > MAX_DELIVERY_FILES) tooLarge('files', MAX_DELIVERY_FILES);
	for (const [fileId, bytes] of entries) {
		if (!(bytes instanceof Uint8Array)) malformed(`files.${fileId}`, 'is not bytes');
		if (bytes.length > MAX_FILE_BYTES) tooLarge(`files.${fileId}`, MAX_FILE_BYTES);
	}
	return files as Record<string, Uint8Array>;
}

class FileOpener {
	readonly used = new Set<string>();
	constructor(private readonly files: Record<string, Uint8Array> | undefined) {}

	async open(
		file: PassportFile,
		credentials: FileCredentials | undefined,
		what: string,
		partHashes: Uint8Array[]
	): Promise<DecryptedFile> {
		if (!credentials) malformed(what, 'has no credentials');
		const hash = base64Field(credentials.file_hash, `${what}.file_hash`);
		const secret = base64Field(credentials.secret, `${what}.secret`);
		partHashes.push(hash);
		const decrypted: DecryptedFile = {
			file_id: file.file_id,
			file_unique_id: file.file_unique_id,
			file_size: file.file_size,
			file_date: file.file_date,
			credentials: { file_hash: credentials.file_hash, secret: credentials.secret }
		};
		if (!this.files) return decrypted;
		if (!Object.hasOwn(this.files, file.file_id) || this.used.has(file.file_id)) {
			throw new DeliveryError('FILE_MISSING', `${what} (${file.file_id}) was not delivered`);
		}
		this.used.add(file.file_id);
		const ciphertext = this.files[file.file_id];
		if (file.file_size !== undefined && ciphertext.length !== file.file_size) {
			malformed(what, 'has the wrong size');
		}
		decrypted.bytes = await openBlob(ciphertext, secret, hash, what);
		return decrypted;
	}
}

const SINGLE_PARTS = ['front_side', 'reverse_side', 'selfie'] as const;
const LIST_PARTS = ['files', 'translation'] as const;

async function decryptElement(
	element: EncryptedPassportElement,
	credentials: Credentials,
	opener: FileOpener,
	verifyHash: boolean
): Promise<DecryptedElement> {
	const type = element.type;
	if (verifyHash && element.hash === undefined) {
		throw new DeliveryError('HASH_MISMATCH', `${type} has no element hash`);
	}
	if (type === 'phone_number' || type === 'email') {
		const value =
			type === 'email' ? checkEmail(element.email) : checkPhoneNumber(element.phone_number);
		if (verifyHash && element.hash !== elementHashOfValue(value)) {
			throw new DeliveryError('HASH_MISMATCH', `${type} does not match its element hash`);
		}
		return { type, [type]: value, hash: element.hash };
	}
	// checkCredentials made sure there is one, of the right shape, for every element sent.
	const secureValue = credentials.secure_data[type] as SecureValue;
	const partHashes: Uint8Array[] = [];
	const out: DecryptedElement = { type, hash: element.hash };
	for (const part of ['data', ...SINGLE_PARTS, ...LIST_PARTS] as const) {
		if (secureValue[part] !== undefined && element[part] === undefined) {
			malformed(`${type}.${part}`, 'has credentials but was not sent');
		}
	}
	if (element.data !== undefined) {
		const dataCredentials = secureValue.data;
		if (!dataCredentials) malformed(`${type}.data`, 'has no credentials');
		const hash = base64Field(dataCredentials.data_hash, `${type}.data_hash`);
		partHashes.push(hash);
		const plain = await openBlob(
			base64Field(element.data, `${type}.data`),
			base64Field(dataCredentials.secret, `${type}.data secret`),
			hash,
			`${type}.data`
		);
		out.data = checkElementData(type, parseJson(plain, `${type}.data`));
	}
	for (const part of SINGLE_PARTS) {
		const file = element[part];
		if (file === undefined) continue;
		out[part] = await opener.open(file, secureValue[part], `${type}.${part}`, partHashes);
	}
	for (const part of LIST_PARTS) {
		const list = element[part];
		if (list === undefined) continue;
		const credentialList = secureValue[part];
		if (!credentialList || list.length !== credentialList.length) {
			malformed(`${type}.${part}`, 'and its credentials differ in length');
		}
		const opened: DecryptedFile[] = [];
		for (const [index, file] of list.entries()) {
			opened.push(
				await opener.open(file, credentialList[index], `${type}.${part}[${index}]`, partHashes)
			);
		}
		out[part] = opened;
	}
	// partHashes were collected in the element hash's part order: data, front_side, reverse_side,
	// selfie, files, translation.
	if (verifyHash) {
		if (element.hash !== elementHashOfParts(partHashes)) {
			throw new DeliveryError('HASH_MISMATCH', `${type} does not match its element hash`);
		}
	}
	return out;
}

async function toKey(privateKey: string | CryptoKey): Promise<CryptoKey> {
	return typeof privateKey === 'string' ? importServicePrivateKey(privateKey) : privateKey;
}

async function checkNonceOnce(consumeNonce: ConsumeNonce, nonce: string): Promise<void> {
	const verdict = await consumeNonce(nonce);
	if (verdict === true || verdict === 'accepted') return;
	if (verdict === 'other_session') {
		throw new DeliveryError(
			'NONCE_OTHER_SESSION',
			'The nonce was issued to another browser session than the one delivering it'
		);
	}
	throw new DeliveryError('NONCE_REUSED', 'The nonce is unknown, expired or already used');
}

export async function decryptPassportData(
	options: DecryptPassportDataOptions
): Promise<DecryptedPassport> {
	requireNonceCheck(options);
	const { expectedNonce, consumeNonce } = options;
	const verifyHashes = options.verifyElementHashes ?? true;
	// Everything a stranger controls is bounded and typed before the first decryption.
	const passportData = checkPassportData(options.passportData);
	const files = checkFiles(options.files);
	const key = await toKey(options.privateKey);
	const credentials = await decryptCredentials(key, passportData);
	if (expectedNonce !== undefined && credentials.nonce !== expectedNonce) {
		throw new DeliveryError(
			'NONCE_MISMATCH',
			'The nonce is not the one this request was sent with'
		);
	}
	const opener = new FileOpener(files);
	const elements: DecryptedElement[] = [];
	const byType: Partial<Record<ElementType, DecryptedElement>> = {};
	for (const element of passportData.data) {
		const decrypted = await decryptElement(element, credentials, opener, verifyHashes);
		elements.push(decrypted);
		byType[element.type] = decrypted;
	}
	if (files) {
		const stray = Object.keys(files).filter((fileId) => !opener.used.has(fileId));
		if (stray.length > 0) malformed('files', 'include files no element refers to');
	}
	if (consumeNonce) await checkNonceOnce(consumeNonce, credentials.nonce);
	const result: DecryptedPassport = { nonce: credentials.nonce, elements, byType, credentials };
	if (typeof credentials.payload === 'string') result.payload = credentials.payload;
	return result;
}

/** Decrypts one file downloaded later, with the credentials decryptPassportData returned. */
export async function decryptFile(options: {
	ciphertext: Uint8Array;
	credentials: FileCredentials;
}): Promise<Uint8Array> {
	const { ciphertext, credentials } = options;
	return openBlob(
		ciphertext,
		base64Field(credentials.secret, 'secret'),
		base64Field(credentials.file_hash, 'file_hash'),
		'file'
	);
}
