/**
 * The device's IndexedDB store (Dexie). It holds ciphertext only: the vault header
 * (salt, KDF parameters, wrapped vault key), sealed records and sealed scans.
 * Bump the version and add an upgrade step for every schema change; never edit a past version.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { SealedRow } from './types';

export interface VaultHeaderRow {
	/**
	 * 'main': the header that opens this device's vault (one vault per origin). 'pending': a
	 * header another device published (a password change) that this device has not verified
	 * yet; the next unlock whose password opens it makes it the main one (vault.ts).
	 */
	id: 'main' | 'pending';
	/**
	 * Header format version. 1: the wrapped key is the vault key alone. 2: vault key and
	 * authority seed (authority.ts), and every field below is in the associated data.
	 */
	format: 1 | 2;
	kdf: {
		algorithm: 'argon2id';
		memoryKiB: number;
		iterations: number;
		parallelism: number;
		salt: Uint8Array;
	};
	/** The vault key (and, in format 2, the authority seed) sealed with the password key. */
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
	/** Format 2: Ed25519 public key of the vault's authority (authority.ts). */
	authorityPublicKey?: Uint8Array;
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
import { releaseOnLeave } from './page-leave';

export { DB_NAME };

export function openDatabase(name = DB_NAME): PapiersDb {
	const db = new Dexie(name) as PapiersDb;
	db.version(1).stores({
		header: 'id',
		records: 'id, at',
		scans: 'id, at'
	});
	db.version(2).stores({ inbox: '++seq' });
	return releaseOnLeave(db);
}
