/**
 * Shared test material for the passport and service-kit tests: RSA keys made on the spot,
 * a stored element of every type with its scans, and a consent query builder.
 */

import { generateKeyPairSync } from 'node:crypto';
import type { ElementType, ScanRef, StoredElement } from '../../../src/lib/passport/types';

export interface TestKeys {
	spkiPem: string;
	pkcs1PublicPem: string;
	pkcs8Pem: string;
	pkcs1PrivatePem: string;
}

export function makeKeys(modulusLength = 2048): TestKeys {
	const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength });
	return {
		spkiPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
		pkcs1PublicPem: publicKey.export({ type: 'pkcs1', format: 'pem' }) as string,
		pkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
		pkcs1PrivatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string
	};
}

let cached: TestKeys | undefined;
/** One 2048-bit key pair per test file: generating them is the slow part. */
export function sharedKeys(): TestKeys {
	cached ??= makeKeys();
	return cached;
}

/** Distinct bytes per scan id, JPEG-looking, so a mix-up between scans shows. */
export function scanBytes(id: string, size = 300): Uint8Array {
	const bytes = new Uint8Array(size);
	bytes.set([0xff, 0xd8, 0xff, 0xe0]);
	for (let i = 4; i < size - 2; i++) bytes[i] = (id.charCodeAt(i % id.length) * 31 + i) & 0xff;
	bytes.set([0xff, 0xd9], size - 2);
	return bytes;
}

export class ScanShelf {
	readonly scans = new Map<string, Uint8Array>();
	ref(id: string, size = 300): ScanRef {
		this.scans.set(id, scanBytes(id, size));
		return { id, size, date: 1_700_000_000, width: 640, height: 480 };
	}
	readScan = async (id: string): Promise<Uint8Array> => {
		const bytes = this.scans.get(id);
		if (!bytes) throw new Error(`No scan ${id}`);
		return bytes;
	};
}

export const PERSONAL = {
	first_name: 'Marie',
	last_name: 'Curie',
	middle_name: 'Salomea',
	birth_date: '07.11.1867',
	gender: 'female',
	country_code: 'PL',
	residence_country_code: 'FR',
	first_name_native: 'Maria',
	last_name_native: 'Skłodowska',
	middle_name_native: 'Salomea'
} as const;

export const ADDRESS = {
	street_line1: '36 quai de Béthune',
	street_line2: '',
	city: 'Paris',
	state: '',
	country_code: 'FR',
	post_code: '75004'
} as const;

/** A complete stored element of every one of the 13 types. */
export function allElements(shelf: ScanShelf): Record<ElementType, StoredElement> {
	const updatedAt = 1;
	const idDocument = (type: ElementType, twoSided: boolean, number: string): StoredElement => ({
		type,
		data: { document_no: number, expiry_date: twoSided ? '01.01.2030' : '' },
		front_side: shelf.ref(`${type}-front`),
		...(twoSided ? { reverse_side: shelf.ref(`${type}-reverse`) } : {}),
		selfie: shelf.ref(`${type}-selfie`),
		translation: [shelf.ref(`${type}-tr0`), shelf.ref(`${type}-tr1`)],
		updatedAt
	});
	const proof = (type: ElementType): StoredElement => ({
		type,
		files: [shelf.ref(`${type}-f0`), shelf.ref(`${type}-f1`, 1000)],
		translation: [shelf.ref(`${type}-tr0`)],
		updatedAt
	});
	return {
		personal_details: { type: 'personal_details', data: { ...PERSONAL }, updatedAt },
		passport: idDocument('passport', false, 'P1234567'),
		internal_passport: idDocument('internal_passport', false, 'IP765'),
		driver_license: idDocument('driver_license', true, 'DL-42'),
		identity_card: idDocument('identity_card', true, 'ID-99'),
		address: { type: 'address', data: { ...ADDRESS }, updatedAt },
		utility_bill: proof('utility_bill'),
		bank_statement: proof('bank_statement'),
		rental_agreement: proof('rental_agreement'),
		passport_registration: proof('passport_registration'),
		temporary_registration: proof('temporary_registration'),
		phone_number: { type: 'phone_number', phone_number: '33612345678', updatedAt },
		email: { type: 'email', email: 'marie@example.org', updatedAt }
	};
}

/** A consent query with sane defaults, any parameter overridable or removable (null). */
export function consentQuery(overrides: Record<string, string | null> = {}): string {
	const params: Record<string, string | null> = {
		bot_id: '123456',
		scope: JSON.stringify({ v: 1, d: [{ _: 'pd', n: 1 }, 'pn'] }),
		public_key: sharedKeys().spkiPem,
		nonce: 'nonce-1',
		callback_url: 'https://service.example/callback',
		...overrides
	};
	const search = new URLSearchParams();
	for (const [key, value] of Object.entries(params)) if (value !== null) search.set(key, value);
	return search.toString();
}
