/**
 * The device's IndexedDB store (Dexie). It holds ciphertext only: the vault header
 * (salt, KDF parameters, wrapped vault key), sealed records and sealed scans.
 * Bump the version and add an upgrade step for every schema change; never edit a past version.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { SealedRow } from './types';

export interface VaultHeaderRow {
	/** Always 'main': one vault per origin. */
	id: 'main';
	/** Header format version. */
	format: 1;
	kdf: {
		algorithm: 'argon2id';
		memoryKiB: number;
		iterations: number;
		parallelism: number;
		salt: Uint8Array;
	};
	/** The vault key sealed with the password key; the KDF parameters are its associated data. */
	wrappedKey: Uint8Array;
	/** Optional reminder the user chose to keep in the clear. */
	hint: string;
	createdAt: number;
	/** Bumped when the vault key is replaced (device removal), so peers can tell headers apart. */
	keyGeneration: number;
	/**
	 * X25519 public key of the vault's inbox: what happens while the vault is locked (a refused
	 * consent request) is sealed to it and moved into the history at the next unlock.
	 */
	inboxPublicKey?: Uint8Array;
}

/** A sealed box waiting for the next unlock. */
export interface InboxRow {
	seq?: number;
	sealed: Uint8Array;
	/** 2: the plaintext is padded (padding.ts) so the box's size does not tell the entry's; absent before. */
	v?: 2;
}

export type PapiersDb = Dexie & {
	header: EntityTable<VaultHeaderRow, 'id'>;
	records: EntityTable<SealedRow, 'id'>;
	scans: EntityTable<SealedRow, 'id'>;
	inbox: EntityTable<InboxRow, 'seq'>;
};

import { DB_NAME } from './db-name';

export { DB_NAME };

export function openDatabase(name = DB_NAME): PapiersDb {
	const db = new Dexie(name) as PapiersDb;
	db.version(1).stores({
		header: 'id',
		records: 'id, at',
		scans: 'id, at'
	});
	db.version(2).stores({ inbox: '++seq' });
	return db;
}
