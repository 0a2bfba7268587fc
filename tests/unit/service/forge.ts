/**
 * A stranger's delivery: anyone holding the service's public key (it is in every consent link)
 * can make one in the real wire format, with whatever JSON and files they like. Built from the
 * wallet's own primitives (Telegram's blob encryption, RSA-OAEP to the service key), and hashed
 * the way Papiers defines the element hash, so only the content is hostile, never the crypto.
 */

import { createPublicKey } from 'node:crypto';
import { toBase64, utf8Encode } from '../../../src/lib/crypto/bytes';
import { encryptBlob, generateSecret } from '../../../src/lib/passport/blob-crypto';
import { elementHashOfParts, elementHashOfValue } from '../../../src/lib/passport/element-hash';
import { rsaOaepEncrypt } from '../../../src/lib/passport/rsa-oaep';
import { scanBytes, sharedKeys } from '../passport/helpers';

export interface ForgedElement {
	type: string;
	/** Any JSON value: encrypted as the element's data object. */
	data?: unknown;
	phone_number?: unknown;
	email?: unknown;
	front_side?: boolean;
	reverse_side?: boolean;
	selfie?: boolean;
	/** How many scans in each list. */
	files?: number;
	translation?: number;
	/** Keys added to the EncryptedPassportElement as sent. */
	extra?: Record<string, unknown>;
}

export interface Forged {
	passportData: any;
	files: Record<string, Uint8Array>;
	/** The credentials JSON before encryption, to edit and re-seal with seal(). */
	credentials: any;
}

export function servicePublicKey(): Uint8Array {
	return new Uint8Array(
		createPublicKey(sharedKeys().spkiPem).export({ type: 'spki', format: 'der' })
	);
}

let fileCounter = 0;

/** Encrypts `credentials` (any JSON value) to the service key, as the credentials field. */
export async function seal(credentials: unknown) {
	const blob = await encryptBlob(utf8Encode(JSON.stringify(credentials)), generateSecret());
	const secret = await rsaOaepEncrypt({ spki: servicePublicKey(), data: blob.secret });
	return { data: toBase64(blob.ciphertext), hash: toBase64(blob.hash), secret: toBase64(secret) };
}

export async function forge(options: {
	nonce: unknown;
	elements: ForgedElement[];
	/** Last word on the credentials JSON before it is sealed. */
	editCredentials?: (credentials: any) => void;
}): Promise<Forged> {
	const files: Record<string, Uint8Array> = {};
	const secureData: Record<string, any> = {};
	const data: any[] = [];
	for (const spec of options.elements) {
		const element: any = { type: spec.type };
		const secureValue: any = {};
		const partHashes: Uint8Array[] = [];
		if (spec.phone_number !== undefined || spec.email !== undefined) {
			const value = spec.phone_number ?? spec.email;
			element[spec.phone_number !== undefined ? 'phone_number' : 'email'] = value;
			element.hash = elementHashOfValue(String(value));
		} else {
			if (spec.data !== undefined) {
				const blob = await encryptBlob(utf8Encode(JSON.stringify(spec.data)));
				element.data = toBase64(blob.ciphertext);
				secureValue.data = { data_hash: toBase64(blob.hash), secret: toBase64(blob.secret) };
				partHashes.push(blob.hash);
			}
			const scan = async () => {
				const id = `forged-${++fileCounter}`;
				const blob = await encryptBlob(scanBytes(id));
				files[id] = blob.ciphertext;
				partHashes.push(blob.hash);
				return {
					file: {
						file_id: id,
						file_unique_id: `u${id}`,
						file_size: blob.ciphertext.length,
						file_date: 1_700_000_000
					},
					credentials: { file_hash: toBase64(blob.hash), secret: toBase64(blob.secret) }
				};
			};
			for (const part of ['front_side', 'reverse_side', 'selfie'] as const) {
				if (!spec[part]) continue;
				const made = await scan();
				element[part] = made.file;
				secureValue[part] = made.credentials;
			}
			for (const part of ['files', 'translation'] as const) {
				const count = spec[part];
				if (count === undefined) continue;
				element[part] = [];
				secureValue[part] = [];
				for (let index = 0; index < count; index++) {
					const made = await scan();
					element[part].push(made.file);
					secureValue[part].push(made.credentials);
				}
			}
			element.hash = elementHashOfParts(partHashes);
			secureData[spec.type] = secureValue;
		}
		Object.assign(element, spec.extra);
		data.push(element);
	}
	const credentials: any = { secure_data: secureData, nonce: options.nonce };
	options.editCredentials?.(credentials);
	return { passportData: { data, credentials: await seal(credentials) }, files, credentials };
}

/** Valid values for each data-carrying type, for a stranger to spoil one field at a time. */
export const VALID_DATA = {
	personal_details: {
		first_name: 'Marie',
		last_name: 'Curie',
		middle_name: '',
		birth_date: '07.11.1867',
		gender: 'female',
		country_code: 'FR',
		residence_country_code: 'FR',
		first_name_native: 'Marie',
		last_name_native: 'Curie',
		middle_name_native: ''
	},
	passport: { document_no: 'P1234567', expiry_date: '' },
	address: {
		street_line1: '36 quai de Béthune',
		street_line2: '',
		city: 'Paris',
		state: '',
		country_code: 'FR',
		post_code: '75004'
	}
} as const;
