/**
 * The vault: a random 256-bit key, wrapped under a password-derived key, that seals every
 * record and scan stored in IndexedDB. Only ciphertext ever reaches Dexie.
 *
 * Crypto always runs before a Dexie transaction opens: an `await` on anything but IndexedDB
 * inside one aborts it (STACK.md). Each save is one transaction, so a tab killed mid-save
 * leaves the old row or the new one, never half of either.
 */
import { open, seal } from '$lib/crypto/aead';
import { randomBytes, utf8Decode, utf8Encode, wipe } from '$lib/crypto/bytes';
import { deriveSubkey } from '$lib/crypto/hkdf';
import { DEFAULT_KDF, SALT_LENGTH, type KdfParams } from '$lib/crypto/kdf-params';
import { keyedId } from '$lib/crypto/keyed-id';
import { generateBoxKeyPair } from '$lib/crypto/sealed-box';
import { openDatabase, type PapiersDb, type VaultHeaderRow } from './db';
import { dayOf, pad, RECORD_BUCKET, SCAN_BUCKET, unpad } from './padding';
import {
	UnreadableRecordError,
	WrongPasswordError,
	type RecordListing,
	type RecordStore,
	type SealedRow
} from './types';

/** Turns a password into a key; the app passes one that runs in a Web Worker. */
export type PasswordKeyDeriver = (password: string, params: KdfParams) => Promise<Uint8Array>;

/** Loaded on demand: the wasm Argon2id is large and the app runs it in a worker instead. */
export const deriveOnThisThread: PasswordKeyDeriver = async (password, params) => {
	const { deriveKeyFromPassword } = await import('$lib/crypto/kdf');
	return deriveKeyFromPassword({ password, params });
};

/** The record holding the inbox's X25519 secret key (see db.ts, inboxPublicKey). */
export const INBOX_KEY_RECORD = 'inbox-key';

/**
 * Schema version of sealed record payloads; part of each record's associated data.
 *   1: JSON {key, value}; the row's `at` in clear is the exact save time.
 *   2: JSON {key, value, at} padded to RECORD_BUCKET (padding.ts); the row's `at` in clear is
 *      only the day, the exact time is sealed. Rows of version 1 still open.
 */
export const RECORD_SCHEMA_VERSION = 2;
/** 1: the bytes as they are; 2: padded to SCAN_BUCKET, the row's `at` rounded to the day. */
const SCAN_SCHEMA_VERSION = 2;

/** An opened record; `at` is the exact time of the save that sealed it. */
export interface OpenedRecord<T> {
	key: string;
	value: T;
	at: number;
}

export type RowChange =
	| { table: 'records' | 'scans'; kind: 'put'; row: SealedRow }
	| { table: 'records' | 'scans'; kind: 'delete'; id: string };

export interface VaultOptions {
	db?: PapiersDb;
	deriveKey?: PasswordKeyDeriver;
	/** Lets tests use cheap parameters; the app always ships DEFAULT_KDF. */
	kdf?: { memoryKiB: number; iterations: number; parallelism: number };
}

export function headerAssociatedData(
	header: Pick<VaultHeaderRow, 'format' | 'kdf' | 'keyGeneration'>
) {
	const { algorithm, memoryKiB, iterations, parallelism, salt } = header.kdf;
	// The KDF parameters are bound to the wrapped key: lowering them in storage breaks unwrapping.
	return utf8Encode(
		JSON.stringify([
			'papiers/header',
			header.format,
			header.keyGeneration,
			algorithm,
			memoryKiB,
			iterations,
			parallelism,
			Array.from(salt)
		])
	);
}

function recordAssociatedData(id: string, version: number): Uint8Array {
	return utf8Encode(`papiers/record/${id}/v${version}`);
}

function scanAssociatedData(id: string, version: number): Uint8Array {
	return utf8Encode(`papiers/scan/${id}/v${version}`);
}

/** A record's JSON inside its opened plaintext; the version is authenticated with it. */
function recordContent(version: number, plaintext: Uint8Array): Uint8Array {
	if (version === 1) return plaintext;
	if (version === 2) return unpad(plaintext, RECORD_BUCKET);
	throw new Error(`Unknown record version ${version}`);
}

/** A scan's bytes inside its opened plaintext, as a copy that holds no padding. */
function scanContent(version: number, plaintext: Uint8Array): Uint8Array {
	if (version === 1) return plaintext;
	if (version !== 2) throw new Error(`Unknown scan version ${version}`);
	const content = unpad(plaintext, SCAN_BUCKET).slice();
	wipe(plaintext);
	return content;
}

/** Wraps a vault key under a password with fresh salt; rotate-key.ts uses it for a new key. */
export async function wrapVaultKey(options: {
	vaultKey: Uint8Array;
	password: string;
	kdf: { memoryKiB: number; iterations: number; parallelism: number };
	keyGeneration: number;
	deriveKey: PasswordKeyDeriver;
}): Promise<Pick<VaultHeaderRow, 'kdf' | 'wrappedKey'>> {
	const kdf = { algorithm: 'argon2id' as const, ...options.kdf, salt: randomBytes(SALT_LENGTH) };
	const passwordKey = await options.deriveKey(options.password, kdf);
	try {
		const associatedData = headerAssociatedData({
			format: 1,
			kdf,
			keyGeneration: options.keyGeneration
		});
		const wrappedKey = seal({ key: passwordKey, plaintext: options.vaultKey, associatedData });
		return { kdf, wrappedKey };
	} finally {
		wipe(passwordKey);
	}
}

async function unwrapVaultKey(
	header: VaultHeaderRow,
	password: string,
	deriveKey: PasswordKeyDeriver
): Promise<Uint8Array> {
	const passwordKey = await deriveKey(password, header.kdf);
	try {
		return open({
			key: passwordKey,
			sealed: header.wrappedKey,
			associatedData: headerAssociatedData(header)
		});
	} catch {
		throw new WrongPasswordError();
	} finally {
		wipe(passwordKey);
	}
}

export async function readHeader(
	db: PapiersDb = openDatabase()
): Promise<VaultHeaderRow | undefined> {
	return db.header.get('main');
}

export async function createVault(options: {
	password: string;
	hint?: string;
	vault?: VaultOptions;
}): Promise<UnlockedVault> {
	const db = options.vault?.db ?? openDatabase();
	const deriveKey = options.vault?.deriveKey ?? deriveOnThisThread;
	if ((await db.header.count()) > 0) throw new Error('A vault already exists on this device');
	const vaultKey = randomBytes(32);
	const wrapped = await wrapVaultKey({
		vaultKey,
		password: options.password,
		kdf: options.vault?.kdf ?? DEFAULT_KDF,
		keyGeneration: 1,
		deriveKey
	});
	const inbox = generateBoxKeyPair();
	const header: VaultHeaderRow = {
		id: 'main',
		format: 1,
		...wrapped,
		hint: options.hint?.trim() ?? '',
		createdAt: Date.now(),
		keyGeneration: 1,
		inboxPublicKey: inbox.publicKey
	};
	const vault = new UnlockedVault(db, vaultKey, deriveKey);
	const inboxKeyRow = vault.sealRecord(INBOX_KEY_RECORD, Array.from(inbox.secretKey));
	wipe(inbox.secretKey);
	await db.transaction('rw', db.header, db.records, async () => {
		if (await db.header.get('main')) throw new Error('A vault already exists on this device');
		await db.header.add(header);
		await db.records.put(inboxKeyRow);
	});
	return vault;
}

/** Throws WrongPasswordError when the password (or the stored header) is wrong. */
export async function unlockVault(options: {
	password: string;
	vault?: VaultOptions;
}): Promise<UnlockedVault> {
	const db = options.vault?.db ?? openDatabase();
	const deriveKey = options.vault?.deriveKey ?? deriveOnThisThread;
	const header = await db.header.get('main');
	if (!header) throw new Error('No vault on this device');
	const vaultKey = await unwrapVaultKey(header, options.password, deriveKey);
	return new UnlockedVault(db, vaultKey, deriveKey);
}

/** Forgotten password: there is no recovery, only a fresh start. */
export async function resetVault(db: PapiersDb = openDatabase()): Promise<void> {
	await db.transaction('rw', [db.header, db.records, db.scans, db.inbox], async () => {
		await Promise.all([db.header.clear(), db.records.clear(), db.scans.clear(), db.inbox.clear()]);
	});
}

export class UnlockedVault implements RecordStore {
	#db: PapiersDb;
	#vaultKey: Uint8Array;
	#recordKey: Uint8Array;
	#scanKey: Uint8Array;
	#idKey: Uint8Array;
	#deriveKey: PasswordKeyDeriver;
	#listeners = new Set<(change: RowChange) => void>();
	#locked = false;

	constructor(db: PapiersDb, vaultKey: Uint8Array, deriveKey: PasswordKeyDeriver) {
		this.#db = db;
		this.#vaultKey = vaultKey;
		this.#recordKey = deriveSubkey(vaultKey, 'records');
		this.#scanKey = deriveSubkey(vaultKey, 'scans');
		this.#idKey = deriveSubkey(vaultKey, 'record-ids');
		this.#deriveKey = deriveKey;
	}

	get db(): PapiersDb {
		return this.#db;
	}

	get isLocked(): boolean {
		return this.#locked;
	}

	/** For the sync module only: room name and secret are derived from it. */
	deriveSubkey(purpose: 'sync-room-name' | 'sync-room-secret'): Uint8Array {
		this.#assertUnlocked();
		return deriveSubkey(this.#vaultKey, purpose);
	}

	/** The opaque storage id of a logical record key. */
	recordId(key: string): string {
		this.#assertUnlocked();
		return keyedId(this.#idKey, key);
	}

	/** Observes every row this vault writes, for the sync mirror. */
	onChange(listener: (change: RowChange) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	async put<T>(key: string, value: T): Promise<void> {
		this.#assertUnlocked();
		const row = this.sealRecord(key, value);
		await this.#db.records.put(row);
		this.#emit({ table: 'records', kind: 'put', row });
	}

	/** Seals without storing; the sync module and batch saves use it. */
	sealRecord<T>(key: string, value: T): SealedRow {
		this.#assertUnlocked();
		const id = this.recordId(key);
		const at = Date.now();
		const plaintext = pad(utf8Encode(JSON.stringify({ key, value, at })), RECORD_BUCKET);
		const ct = seal({
			key: this.#recordKey,
			plaintext,
			associatedData: recordAssociatedData(id, RECORD_SCHEMA_VERSION)
		});
		wipe(plaintext);
		return { id, v: RECORD_SCHEMA_VERSION, ct, at: dayOf(at) };
	}

	/** Opens a sealed row; throws UnreadableRecordError when it was altered or moved. */
	openRecord<T>(row: SealedRow): OpenedRecord<T> {
		this.#assertUnlocked();
		let parsed: { key: string; value: T; at?: unknown };
		try {
			const plaintext = open({
				key: this.#recordKey,
				sealed: row.ct,
				associatedData: recordAssociatedData(row.id, row.v)
			});
			parsed = JSON.parse(utf8Decode(recordContent(row.v, plaintext)));
		} catch {
			throw new UnreadableRecordError(row.id);
		}
		// A row copied under another id fails above; this guards a payload from another key space.
		if (typeof parsed?.key !== 'string' || this.recordId(parsed.key) !== row.id) {
			throw new UnreadableRecordError(row.id);
		}
		// Version 1 kept the exact time in clear only.
		const at = row.v === 1 ? row.at : parsed.at;
		if (typeof at !== 'number' || !Number.isFinite(at)) throw new UnreadableRecordError(row.id);
		return { key: parsed.key, value: parsed.value, at };
	}

	async get<T>(key: string): Promise<T | undefined> {
		this.#assertUnlocked();
		const row = await this.#db.records.get(this.recordId(key));
		return row ? this.openRecord<T>(row).value : undefined;
	}

	async list<T>(prefix: string): Promise<RecordListing<T>> {
		this.#assertUnlocked();
		const rows = await this.#db.records.toArray();
		const listing: RecordListing<T> = { records: [], unreadable: [] };
		for (const row of rows) {
			try {
				const { key, value } = this.openRecord<T>(row);
				if (key.startsWith(prefix)) listing.records.push({ key, value });
			} catch (error) {
				listing.unreadable.push({ id: row.id, reason: (error as Error).message });
			}
		}
		return listing;
	}

	async delete(key: string): Promise<void> {
		this.#assertUnlocked();
		const id = this.recordId(key);
		await this.#db.records.delete(id);
		this.#emit({ table: 'records', kind: 'delete', id });
	}

	/** Saves several records and removes scans in one transaction: an element with its files. */
	async saveAtomically(options: {
		put?: { key: string; value: unknown }[];
		deleteKeys?: string[];
		deleteScans?: string[];
	}): Promise<void> {
		this.#assertUnlocked();
		const rows = (options.put ?? []).map(({ key, value }) => this.sealRecord(key, value));
		const deletedIds = (options.deleteKeys ?? []).map((key) => this.recordId(key));
		const deletedScans = options.deleteScans ?? [];
		await this.#db.transaction('rw', this.#db.records, this.#db.scans, async () => {
			if (rows.length) await this.#db.records.bulkPut(rows);
			if (deletedIds.length) await this.#db.records.bulkDelete(deletedIds);
			if (deletedScans.length) await this.#db.scans.bulkDelete(deletedScans);
		});
		for (const row of rows) this.#emit({ table: 'records', kind: 'put', row });
		for (const id of deletedIds) this.#emit({ table: 'records', kind: 'delete', id });
		for (const id of deletedScans) this.#emit({ table: 'scans', kind: 'delete', id });
	}

	/** Seals scan bytes under this vault's key, without storing (key rotation re-seals with it). */
	sealScan(id: string, bytes: Uint8Array, at = Date.now()): SealedRow {
		this.#assertUnlocked();
		const plaintext = pad(bytes, SCAN_BUCKET);
		const ct = seal({
			key: this.#scanKey,
			plaintext,
			associatedData: scanAssociatedData(id, SCAN_SCHEMA_VERSION)
		});
		wipe(plaintext);
		return { id, v: SCAN_SCHEMA_VERSION, ct, at: dayOf(at) };
	}

	async putScan(bytes: Uint8Array): Promise<string> {
		const id = crypto.randomUUID();
		const row = this.sealScan(id, bytes);
		await this.#db.scans.put(row);
		this.#emit({ table: 'scans', kind: 'put', row });
		return id;
	}

	async getScan(id: string): Promise<Uint8Array | undefined> {
		this.#assertUnlocked();
		const row = await this.#db.scans.get(id);
		if (!row) return undefined;
		try {
			const plaintext = open({
				key: this.#scanKey,
				sealed: row.ct,
				associatedData: scanAssociatedData(row.id, row.v)
			});
			return scanContent(row.v, plaintext);
		} catch {
			throw new UnreadableRecordError(id);
		}
	}

	async deleteScan(id: string): Promise<void> {
		this.#assertUnlocked();
		await this.#db.scans.delete(id);
		this.#emit({ table: 'scans', kind: 'delete', id });
	}

	/**
	 * Re-wraps the same vault key under a new password. Records and scans are untouched:
	 * they are sealed with subkeys of the vault key, which does not change.
	 */
	async changePassword(options: {
		currentPassword: string;
		newPassword: string;
		hint?: string;
		kdf?: { memoryKiB: number; iterations: number; parallelism: number };
	}): Promise<void> {
		this.#assertUnlocked();
		const header = await this.#db.header.get('main');
		if (!header) throw new Error('No vault on this device');
		// Proves the person at the device knows the current password, not just that it is unlocked.
		const check = await unwrapVaultKey(header, options.currentPassword, this.#deriveKey);
		wipe(check);
		const wrapped = await wrapVaultKey({
			vaultKey: this.#vaultKey,
			password: options.newPassword,
			kdf: options.kdf ?? {
				memoryKiB: Math.max(header.kdf.memoryKiB, DEFAULT_KDF.memoryKiB),
				iterations: Math.max(header.kdf.iterations, DEFAULT_KDF.iterations),
				parallelism: header.kdf.parallelism
			},
			keyGeneration: header.keyGeneration,
			deriveKey: this.#deriveKey
		});
		await this.#db.header.put({
			...header,
			...wrapped,
			hint: options.hint === undefined ? header.hint : options.hint.trim()
		});
	}

	/** Drops every key from memory; the object is unusable afterwards. */
	lock(): void {
		if (this.#locked) return;
		this.#locked = true;
		wipe(this.#vaultKey, this.#recordKey, this.#scanKey, this.#idKey);
		this.#listeners.clear();
	}

	#assertUnlocked(): void {
		if (this.#locked) throw new Error('The vault is locked');
	}

	#emit(change: RowChange): void {
		for (const listener of this.#listeners) listener(change);
	}
}
