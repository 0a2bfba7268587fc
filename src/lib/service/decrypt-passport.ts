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
import { isElementType, type ElementType } from '../passport/types';
import { DeliveryError } from './delivery-error';
import { importServicePrivateKey } from './private-key';

export interface DecryptedFile extends PassportFile {
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

export interface DecryptPassportDataOptions {
	/** PEM (PKCS#8 or PKCS#1), or a key already imported for RSA-OAEP/SHA-1 decryption. */
	privateKey: string | CryptoKey;
	passportData: PassportData;
	/**
	 * Encrypted file bytes by file_id. When given, every file must be there and is decrypted;
	 * when omitted (Bot API style), files keep only their credentials for decryptFile.
	 */
	files?: Record<string, Uint8Array>;
	/** Refuse unless the credentials carry exactly this nonce. */
	expectedNonce?: string;
	/** One-time check, called last, after everything else verified: return false to refuse. */
	consumeNonce?: (nonce: string) => boolean | Promise<boolean>;
	/**
	 * Check each element's `hash` as Papiers defines it (PROTOCOL.md 4.2). Default true; turn off
	 * for data made by Telegram's servers, whose element hash is computed differently.
	 */
	verifyElementHashes?: boolean;
}

function base64Field(value: unknown, what: string): Uint8Array {
	if (typeof value !== 'string')
		throw new DeliveryError('DELIVERY_MALFORMED', `${what} is missing`);
	try {
		return fromBase64(value);
	} catch {
		throw new DeliveryError('DELIVERY_MALFORMED', `${what} is not base64`);
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

function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
	let value: unknown;
	try {
		value = JSON.parse(utf8Decode(bytes));
	} catch {
		throw new DeliveryError('DELIVERY_MALFORMED', `${what} is not JSON`);
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new DeliveryError('DELIVERY_MALFORMED', `${what} is not an object`);
	}
	return value as Record<string, unknown>;
}

async function decryptCredentials(
	key: CryptoKey,
	passportData: PassportData
): Promise<Credentials> {
	const encrypted = passportData.credentials;
	const sealedSecret = base64Field(encrypted?.secret, 'credentials.secret');
	let secret: Uint8Array;
	try {
		secret = new Uint8Array(
			await globalThis.crypto.subtle.decrypt(
				{ name: 'RSA-OAEP' },
				key,
				sealedSecret as BufferSource
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
	const json = parseJsonObject(plain, 'credentials');
	const secureData = json.secure_data;
	if (typeof secureData !== 'object' || secureData === null || typeof json.nonce !== 'string') {
		throw new DeliveryError('DELIVERY_MALFORMED', 'credentials lack secure_data or nonce');
	}
	return json as unknown as Credentials;
}

class FileOpener {
	readonly used = new Set<string>();
	constructor(private readonly files: Record<string, Uint8Array> | undefined) {}

	async open(
		file: PassportFile | undefined,
		credentials: FileCredentials | undefined,
		what: string,
		partHashes: Uint8Array[]
	): Promise<DecryptedFile> {
		if (!file || typeof file.file_id !== 'string' || !credentials) {
			throw new DeliveryError('DELIVERY_MALFORMED', `${what} lacks its file or credentials`);
		}
		const hash = base64Field(credentials.file_hash, `${what}.file_hash`);
		const secret = base64Field(credentials.secret, `${what}.secret`);
		partHashes.push(hash);
		const decrypted: DecryptedFile = {
			file_id: file.file_id,
			file_unique_id: file.file_unique_id,
			file_size: file.file_size,
			file_date: file.file_date,
			credentials
		};
		if (!this.files) return decrypted;
		if (!Object.hasOwn(this.files, file.file_id) || this.used.has(file.file_id)) {
			throw new DeliveryError('FILE_MISSING', `${what} (${file.file_id}) was not delivered`);
		}
		this.used.add(file.file_id);
		const ciphertext = this.files[file.file_id];
		if (ciphertext.length !== file.file_size) {
			throw new DeliveryError('DELIVERY_MALFORMED', `${what} has the wrong size`);
		}
		decrypted.bytes = await openBlob(ciphertext, secret, hash, what);
		return decrypted;
	}
}

async function decryptElement(
	element: EncryptedPassportElement,
	credentials: Credentials,
	opener: FileOpener,
	verifyHash: boolean
): Promise<DecryptedElement> {
	const type = element.type;
	if (type === 'phone_number' || type === 'email') {
		const value = element[type];
		if (typeof value !== 'string')
			throw new DeliveryError('DELIVERY_MALFORMED', `${type} is missing`);
		if (verifyHash && element.hash !== elementHashOfValue(value)) {
			throw new DeliveryError('HASH_MISMATCH', `${type} does not match its element hash`);
		}
		return { type, [type]: value, hash: element.hash };
	}
	const secureValue: SecureValue | undefined = credentials.secure_data[type];
	if (typeof secureValue !== 'object' || secureValue === null) {
		throw new DeliveryError('DELIVERY_MALFORMED', `No credentials for ${type}`);
	}
	const partHashes: Uint8Array[] = [];
	const out: DecryptedElement = { type, hash: element.hash };
	if (element.data !== undefined) {
		const dataCredentials = secureValue.data;
		if (!dataCredentials)
			throw new DeliveryError('DELIVERY_MALFORMED', `No data credentials for ${type}`);
		const hash = base64Field(dataCredentials.data_hash, `${type}.data_hash`);
		partHashes.push(hash);
		const plain = await openBlob(
			base64Field(element.data, `${type}.data`),
			base64Field(dataCredentials.secret, `${type}.data secret`),
			hash,
			`${type}.data`
		);
		out.data = parseJsonObject(plain, `${type}.data`) as Record<string, string>;
	}
	for (const part of ['front_side', 'reverse_side', 'selfie'] as const) {
		if (element[part] === undefined) continue;
		out[part] = await opener.open(element[part], secureValue[part], `${type}.${part}`, partHashes);
	}
	for (const part of ['files', 'translation'] as const) {
		const list = element[part];
		if (list === undefined) continue;
		const credentialList = secureValue[part];
		if (
			!Array.isArray(list) ||
			!Array.isArray(credentialList) ||
			list.length !== credentialList.length
		) {
			throw new DeliveryError('DELIVERY_MALFORMED', `${type}.${part} and its credentials differ`);
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

export async function decryptPassportData(
	options: DecryptPassportDataOptions
): Promise<DecryptedPassport> {
	const { passportData, expectedNonce, consumeNonce } = options;
	if (
		typeof passportData !== 'object' ||
		passportData === null ||
		!Array.isArray(passportData.data)
	) {
		throw new DeliveryError('DELIVERY_MALFORMED', 'Not a PassportData object');
	}
	const key = await toKey(options.privateKey);
	const credentials = await decryptCredentials(key, passportData);
	if (expectedNonce !== undefined && credentials.nonce !== expectedNonce) {
		throw new DeliveryError(
			'NONCE_MISMATCH',
			'The nonce is not the one this request was sent with'
		);
	}
	const opener = new FileOpener(options.files);
	const elements: DecryptedElement[] = [];
	const byType: Partial<Record<ElementType, DecryptedElement>> = {};
	for (const element of passportData.data) {
		if (typeof element !== 'object' || element === null || !isElementType(element.type)) {
			throw new DeliveryError('DELIVERY_MALFORMED', 'An element has no known type');
		}
		if (byType[element.type])
			throw new DeliveryError('DELIVERY_MALFORMED', `${element.type} twice`);
		const decrypted = await decryptElement(
			element,
			credentials,
			opener,
			options.verifyElementHashes ?? true
		);
		elements.push(decrypted);
		byType[element.type] = decrypted;
	}
	if (options.files) {
		const stray = Object.keys(options.files).filter((fileId) => !opener.used.has(fileId));
		if (stray.length > 0)
			throw new DeliveryError('DELIVERY_MALFORMED', 'Files no element refers to');
	}
	if (consumeNonce && !(await consumeNonce(credentials.nonce))) {
		throw new DeliveryError('NONCE_REUSED', 'The nonce is unknown, expired or already used');
	}
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
