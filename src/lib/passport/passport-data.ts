/**
 * The Bot API's Telegram Passport shapes (core.telegram.org/bots/api#passportdata), exactly as a
 * service receives them (PROTOCOL.md 4.2), plus the decrypted credentials JSON.
 * Field names are the wire names, so these types double as the JSON schema.
 */

import type { ElementType } from './types';

export interface PassportFile {
	file_id: string;
	file_unique_id: string;
	/** Size of the encrypted file in bytes. */
	file_size: number;
	/** Unix seconds. */
	file_date: number;
}

export interface EncryptedPassportElement {
	type: ElementType;
	/** base64 of the encrypted data JSON. */
	data?: string;
	phone_number?: string;
	email?: string;
	files?: PassportFile[];
	front_side?: PassportFile;
	reverse_side?: PassportFile;
	selfie?: PassportFile;
	translation?: PassportFile[];
	/** base64; see elementHash in element-hash.ts. */
	hash: string;
}

export interface EncryptedCredentials {
	/** base64 of the encrypted credentials JSON. */
	data: string;
	/** base64 SHA-256 of its padded plaintext. */
	hash: string;
	/** base64 of the RSA-OAEP-encrypted 32-byte secret. */
	secret: string;
}

export interface PassportData {
	data: EncryptedPassportElement[];
	credentials: EncryptedCredentials;
}

export interface DataCredentials {
	data_hash: string;
	secret: string;
}

export interface FileCredentials {
	file_hash: string;
	secret: string;
}

export interface SecureValue {
	data?: DataCredentials;
	front_side?: FileCredentials;
	reverse_side?: FileCredentials;
	selfie?: FileCredentials;
	translation?: FileCredentials[];
	files?: FileCredentials[];
}

export type SecureData = Partial<
	Record<Exclude<ElementType, 'phone_number' | 'email'>, SecureValue>
>;

/** The decrypted `credentials.data`. */
export interface Credentials {
	secure_data: SecureData;
	nonce: string;
	/** Only for legacy-array scopes, where it equals `nonce`. */
	payload?: string;
}

/** The parts of an element that hold scans, in the order their hashes enter the element hash. */
export const SCAN_PARTS = ['front_side', 'reverse_side', 'selfie', 'files', 'translation'] as const;
export type ScanPartName = (typeof SCAN_PARTS)[number];
export const SINGLE_SCAN_PARTS = ['front_side', 'reverse_side', 'selfie'] as const;
export const LIST_SCAN_PARTS = ['files', 'translation'] as const;
