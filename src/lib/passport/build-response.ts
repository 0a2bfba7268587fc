/**
 * Builds the response to a consent request (PROTOCOL.md 4.1–4.2): one EncryptedPassportElement per
 * scope row, in row order, each blob freshly encrypted; the credentials JSON encrypted the same way
 * and its secret sealed to the service's key. Also returns the encrypted file bytes by file_id
 * (section 4.3 carries them) and what the consent history must keep (section 5 needs it).
 */

import { toBase64, toBase64Url, randomBytes, utf8Encode } from '../crypto/bytes';
import { encryptBlob, type EncryptedBlob } from './blob-crypto';
import { elementHashOfParts, elementHashOfValue, fieldDigest } from './element-hash';
import { NATIVE_NAME_FALLBACKS, dataFields, hasData } from './elements/fields';
import { MAX_FILES, MAX_TRANSLATIONS, scanRules } from './elements/scans';
import type {
	Credentials,
	EncryptedPassportElement,
	FileCredentials,
	PassportData,
	PassportFile,
	ScanPartName,
	SecureData,
	SecureValue
} from './passport-data';
import type { ConsentRequest } from './request';
import { rsaOaepEncrypt } from './rsa-oaep';
import type { ScopeElement } from './scope';
import type { SentElement, SentFile } from './sent-element';
import type { ElementType, ScanRef, StoredElement } from './types';

export type BuildErrorCode =
	/** A one-of row has no choice, or a choice the row does not offer. */
	| 'CHOICE_INVALID'
	/** Nothing stored for the chosen type. */
	| 'ELEMENT_MISSING'
	/** The element lacks a part the request needs (data, a scan, a value). */
	| 'PART_MISSING'
	| 'TOO_MANY_SCANS'
	/** WebCrypto would not use the service's key (row is -1: it concerns no row). */
	| 'PUBLIC_KEY_UNUSABLE';

export class PassportBuildError extends Error {
	constructor(
		readonly code: BuildErrorCode,
		readonly row: number,
		readonly type?: ElementType,
		readonly part?: string
	) {
		super(`${code} in row ${row}${type ? ` (${type}${part ? `.${part}` : ''})` : ''}`);
		this.name = 'PassportBuildError';
	}
}

export interface BuildPassportDataOptions {
	request: Pick<ConsentRequest, 'scope' | 'publicKey' | 'nonce' | 'legacyPayload'>;
	/**
	 * The type the person picked for each scope row, by row index. Rows with a single option may
	 * be left undefined.
	 */
	choices?: readonly (ElementType | undefined)[];
	/** The stored elements, as a list or by type. */
	elements: readonly StoredElement[] | Partial<Record<ElementType, StoredElement>>;
	/** Reads a scan's plain JPEG bytes from the vault. */
	readScan: (id: string) => Promise<Uint8Array>;
	/**
	 * Gives a scan encrypted for sending (encryptBlob of its plain bytes, fresh secret), e.g. one
	 * a ScanPreparer made while the person read the consent screen. Default: readScan, then
	 * encryptBlob.
	 */
	encryptScan?: (id: string) => Promise<EncryptedBlob>;
}

export interface BuiltPassportData {
	passportData: PassportData;
	/** Encrypted file bytes by file_id. */
	files: Record<string, Uint8Array>;
	/** For the consent history, one per element sent, in the same order as passportData.data. */
	elementHashes: SentElement[];
}

function byType(
	elements: BuildPassportDataOptions['elements']
): Partial<Record<ElementType, StoredElement>> {
	if (!Array.isArray(elements)) return elements as Partial<Record<ElementType, StoredElement>>;
	const map: Partial<Record<ElementType, StoredElement>> = {};
	for (const element of elements as readonly StoredElement[]) map[element.type] = element;
	return map;
}

function chosenOption(
	options: readonly ScopeElement[],
	choice: ElementType | undefined,
	row: number
): ScopeElement {
	if (choice === undefined && options.length === 1) return options[0];
	const option = options.find((candidate) => candidate.type === choice);
	if (!option) throw new PassportBuildError('CHOICE_INVALID', row);
	return option;
}

/** Every key of the type's data object, '' where empty (python-telegram-bot rejects missing keys). */
function dataObject(
	element: StoredElement,
	request: ScopeElement,
	row: number
): Record<string, string> {
	if (!element.data) throw new PassportBuildError('PART_MISSING', row, element.type, 'data');
	const stored = element.data as unknown as Record<string, unknown>;
	const read = (key: string) => (typeof stored[key] === 'string' ? (stored[key] as string) : '');
	const out: Record<string, string> = {};
	for (const field of dataFields(element.type)) out[field.key] = read(field.key);
	if (element.type === 'personal_details' && !request.native_names) {
		// Not asked for: send the Latin names in their place (what the editor stores when native
		// names are not shown), so nothing beyond the request leaves the device.
		for (const [native, latin] of Object.entries(NATIVE_NAME_FALLBACKS)) out[native] = out[latin];
	}
	return out;
}

function newFileId(): string {
	return toBase64Url(randomBytes(24));
}

interface EncryptedScan {
	file: PassportFile;
	credentials: FileCredentials;
	hash: Uint8Array;
}

class ResponseWriter {
	readonly files: Record<string, Uint8Array> = {};
	constructor(private readonly encryptScan: (id: string) => Promise<EncryptedBlob>) {}

	async scan(ref: ScanRef): Promise<EncryptedScan> {
		const blob = await this.encryptScan(ref.id);
		let fileId = newFileId();
		while (Object.hasOwn(this.files, fileId)) fileId = newFileId();
		this.files[fileId] = blob.ciphertext;
		const date = Number.isFinite(ref.date) && ref.date > 0 ? Math.floor(ref.date) : 0;
		return {
			file: {
				file_id: fileId,
				file_unique_id: toBase64Url(randomBytes(12)),
				file_size: blob.ciphertext.length,
				file_date: date || Math.floor(Date.now() / 1000)
			},
			credentials: { file_hash: toBase64(blob.hash), secret: toBase64(blob.secret) },
			hash: blob.hash
		};
	}
}

/**
 * The ids of the scans a response would send from `element` for this scope option, as far as
 * they are there (nothing is checked: buildPassportData does that). For preparing them early.
 */
export function scanIdsToSend(element: StoredElement | undefined, request: ScopeElement): string[] {
	if (!element) return [];
	const rules = scanRules(element.type);
	const refs: (ScanRef | undefined)[] = [];
	if (rules.front_side) refs.push(element.front_side);
	if (rules.reverse_side) refs.push(element.reverse_side);
	if (rules.selfie && request.selfie) refs.push(element.selfie);
	if (rules.files) refs.push(...(element.files ?? []).slice(0, MAX_FILES));
	if (rules.translation && request.translation) {
		refs.push(...(element.translation ?? []).slice(0, MAX_TRANSLATIONS));
	}
	return refs.filter((ref): ref is ScanRef => ref !== undefined).map((ref) => ref.id);
}

/** Which scan parts this request takes from this element, each checked present. */
function requiredScans(
	element: StoredElement,
	request: ScopeElement,
	row: number
): { part: ScanPartName; refs: ScanRef[] }[] {
	const rules = scanRules(element.type);
	const parts: { part: ScanPartName; refs: ScanRef[] }[] = [];
	const single = (part: 'front_side' | 'reverse_side' | 'selfie') => {
		const ref = element[part];
		if (!ref) throw new PassportBuildError('PART_MISSING', row, element.type, part);
		parts.push({ part, refs: [ref] });
	};
	const list = (part: 'files' | 'translation', max: number) => {
		const refs = element[part] ?? [];
		if (refs.length === 0) throw new PassportBuildError('PART_MISSING', row, element.type, part);
		if (refs.length > max) throw new PassportBuildError('TOO_MANY_SCANS', row, element.type, part);
		parts.push({ part, refs });
	};
	if (rules.front_side) single('front_side');
	if (rules.reverse_side) single('reverse_side');
	if (rules.selfie && request.selfie) single('selfie');
	if (rules.files) list('files', MAX_FILES);
	if (rules.translation && request.translation) list('translation', MAX_TRANSLATIONS);
	return parts;
}

async function buildElement(
	writer: ResponseWriter,
	element: StoredElement,
	request: ScopeElement,
	row: number,
	secureData: SecureData
): Promise<{ encrypted: EncryptedPassportElement; sent: SentElement }> {
	const type = element.type;
	if (type === 'phone_number' || type === 'email') {
		const value = element[type];
		if (typeof value !== 'string' || value === '') {
			throw new PassportBuildError('PART_MISSING', row, type, type);
		}
		const hash = elementHashOfValue(value);
		const encrypted = (
			type === 'phone_number' ? { type, phone_number: value, hash } : { type, email: value, hash }
		) as EncryptedPassportElement;
		return { encrypted, sent: { type, elementHash: hash, files: [] } };
	}

	const secureValue: SecureValue = {};
	const partHashes: Uint8Array[] = [];
	const sent: SentElement = { type, elementHash: '', files: [] };
	let data: string | undefined;
	if (hasData(type)) {
		const values = dataObject(element, request, row);
		const blob = await encryptBlob(utf8Encode(JSON.stringify(values)));
		data = toBase64(blob.ciphertext);
		secureValue.data = { data_hash: toBase64(blob.hash), secret: toBase64(blob.secret) };
		partHashes.push(blob.hash);
		sent.dataHash = secureValue.data.data_hash;
		sent.fieldDigests = Object.fromEntries(
			Object.entries(values).map(([key, value]) => [key, fieldDigest(value)])
		);
	}

	const scanFiles: Partial<Record<ScanPartName, PassportFile[]>> = {};
	for (const { part, refs } of requiredScans(element, request, row)) {
		const encryptedScans: EncryptedScan[] = [];
		for (const ref of refs) encryptedScans.push(await writer.scan(ref));
		scanFiles[part] = encryptedScans.map((scan) => scan.file);
		const credentials = encryptedScans.map((scan) => scan.credentials);
		if (part === 'files' || part === 'translation') secureValue[part] = credentials;
		else secureValue[part] = credentials[0];
		encryptedScans.forEach((scan, index) => {
			partHashes.push(scan.hash);
			const record: SentFile = {
				part,
				index,
				scanId: refs[index].id,
				fileHash: scan.credentials.file_hash
			};
			sent.files.push(record);
		});
	}

	// Bot API field order; absent parts are left out rather than sent empty.
	const encrypted = { type } as EncryptedPassportElement;
	if (data !== undefined) encrypted.data = data;
	if (scanFiles.files) encrypted.files = scanFiles.files;
	if (scanFiles.front_side) encrypted.front_side = scanFiles.front_side[0];
	if (scanFiles.reverse_side) encrypted.reverse_side = scanFiles.reverse_side[0];
	if (scanFiles.selfie) encrypted.selfie = scanFiles.selfie[0];
	if (scanFiles.translation) encrypted.translation = scanFiles.translation;
	encrypted.hash = elementHashOfParts(partHashes);
	sent.elementHash = encrypted.hash;
	secureData[type] = secureValue;
	return { encrypted, sent };
}

export async function buildPassportData(
	options: BuildPassportDataOptions
): Promise<BuiltPassportData> {
	const { request, readScan } = options;
	const stored = byType(options.elements);
	const writer = new ResponseWriter(
		options.encryptScan ?? (async (id) => encryptBlob(await readScan(id)))
	);
	const secureData: SecureData = {};
	const data: EncryptedPassportElement[] = [];
	const elementHashes: SentElement[] = [];

	for (const [row, scopeRow] of request.scope.rows.entries()) {
		const option = chosenOption(scopeRow.options, options.choices?.[row], row);
		const element = stored[option.type];
		if (!element || element.type !== option.type) {
			throw new PassportBuildError('ELEMENT_MISSING', row, option.type);
		}
		const built = await buildElement(writer, element, option, row, secureData);
		data.push(built.encrypted);
		elementHashes.push(built.sent);
	}

	const credentials: Credentials = request.legacyPayload
		? { secure_data: secureData, payload: request.nonce, nonce: request.nonce }
		: { secure_data: secureData, nonce: request.nonce };
	const blob = await encryptBlob(utf8Encode(JSON.stringify(credentials)));
	let sealedSecret: Uint8Array;
	try {
		sealedSecret = await rsaOaepEncrypt({ spki: request.publicKey.spki, data: blob.secret });
	} catch {
		// The parser checked the key's structure; a key WebCrypto still refuses is the service's fault.
		throw new PassportBuildError('PUBLIC_KEY_UNUSABLE', -1);
	}

	return {
		passportData: {
			data,
			credentials: {
				data: toBase64(blob.ciphertext),
				hash: toBase64(blob.hash),
				secret: toBase64(sealedSecret)
			}
		},
		files: writer.files,
		elementHashes
	};
}
