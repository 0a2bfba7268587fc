/**
 * The vault's contract with the rest of the app (elements, consent history, sync).
 * Callers use logical record keys such as `element:passport` or `history:<uuid>`;
 * the vault stores them under opaque ids derived with a keyed hash, so IndexedDB shows
 * neither the values nor which kinds of papers a person keeps.
 */

/** What IndexedDB (and the sync document) hold for one record or scan: ciphertext only. */
export interface SealedRow {
	/** Opaque id: base64url of HMAC-SHA256(idKey, logical key), or a random id for scans. */
	id: string;
	/** Schema version of the sealed payload; part of the associated data. */
	v: number;
	/** 24-byte XChaCha20 nonce followed by ciphertext and Poly1305 tag; padded to a size bucket (padding.ts). */
	ct: Uint8Array;
	/**
	 * Unix milliseconds of the UTC day of the save that produced this row, used to order sync
	 * versions. Only the day: the exact time is sealed inside the payload (format 2; rows of
	 * format 1 kept the exact time here).
	 */
	at: number;
}

export interface ListedRecord<T> {
	key: string;
	value: T;
}

/** A record that exists but whose ciphertext does not open (tampered, or under another key). */
export interface UnreadableRecord {
	id: string;
	reason: string;
}

export interface RecordListing<T> {
	records: ListedRecord<T>[];
	unreadable: UnreadableRecord[];
}

export interface RecordStore {
	put<T>(key: string, value: T): Promise<void>;
	/** undefined when absent; throws UnreadableRecordError when present but damaged. */
	get<T>(key: string): Promise<T | undefined>;
	/** Every record whose logical key starts with prefix; damaged ones are listed apart, never deleted. */
	list<T>(prefix: string): Promise<RecordListing<T>>;
	delete(key: string): Promise<void>;
	/** Seals and stores binary data; returns its new random id. */
	putScan(bytes: Uint8Array): Promise<string>;
	getScan(id: string): Promise<Uint8Array | undefined>;
	deleteScan(id: string): Promise<void>;
}

export class UnreadableRecordError extends Error {
	constructor(readonly id: string) {
		super(`Record ${id} cannot be decrypted: it was altered or sealed under another key`);
		this.name = 'UnreadableRecordError';
	}
}

export class WrongPasswordError extends Error {
	constructor() {
		super('Wrong password, or the vault header was altered');
		this.name = 'WrongPasswordError';
	}
}
