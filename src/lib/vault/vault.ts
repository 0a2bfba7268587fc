/**
 * The vault: a random 256-bit key, wrapped under a password-derived key, that seals every
 * record and scan stored in IndexedDB. Only ciphertext ever reaches Dexie.
 *
 * Crypto always runs before a Dexie transaction opens: an `await` on anything but IndexedDB
 * inside one aborts it (STACK.md). Each save is one transaction, so a tab killed mid-save
 * leaves the old row or the new one, never half of either.
 */
import { open, seal } from '$lib/crypto/aead';
import { AUTHORITY_SEED_LENGTH, authorityPublicKey } from '$lib/crypto/authority';
import {
	concatBytes,
	equalBytes,
	randomBytes,
	toBase64,
	utf8Decode,
	utf8Encode,
	wipe
} from '$lib/crypto/bytes';
import { deriveSubkey } from '$lib/crypto/hkdf';
import {
	DEFAULT_KDF,
	meetsKdfFloor,
	SALT_LENGTH,
	type KdfCost,
	type KdfParams
} from '$lib/crypto/kdf-params';
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
	kdf?: KdfCost;
	/** The least a header from another device may cost; tests lower it with `kdf`. */
	kdfFloor?: KdfCost;
}

/**
 * Everything the header says, bound to the wrapped key: changing any field in storage (a
 * weaker KDF, another hint, another inbox or authority key) makes the password fail.
 * Format 1 (before the authority existed) bound only the KDF and the generation; it is read
 * for vaults made before, and upgraded at their next unlock.
 */
export function headerAssociatedData(header: Omit<VaultHeaderRow, 'id' | 'wrappedKey'>) {
	const { algorithm, memoryKiB, iterations, parallelism, salt } = header.kdf;
	const kdf = [algorithm, memoryKiB, iterations, parallelism];
	if (header.format === 1) {
		return utf8Encode(
			JSON.stringify(['papiers/header', 1, header.keyGeneration, ...kdf, Array.from(salt)])
		);
	}
	return utf8Encode(
		JSON.stringify([
			'papiers/header',
			header.format,
			header.keyGeneration,
			...kdf,
			toBase64(salt),
			header.hint,
			header.createdAt,
			header.inboxPublicKey ? toBase64(header.inboxPublicKey) : null,
			header.authorityPublicKey ? toBase64(header.authorityPublicKey) : null
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

/** What the password opens. */
export interface OpenedHeader {
	vaultKey: Uint8Array;
	/** Format 2 only. */
	authoritySeed?: Uint8Array;
}

/**
 * Seals a vault key and authority seed under a password with fresh salt: a new vault, a
 * password change, a new key (rotate-key.ts). Returns the whole format-2 header.
 */
export async function sealHeader(options: {
	vaultKey: Uint8Array;
	authoritySeed: Uint8Array;
	password: string;
	kdf: KdfCost;
	keyGeneration: number;
	hint: string;
	createdAt: number;
	inboxPublicKey?: Uint8Array;
	deriveKey: PasswordKeyDeriver;
}): Promise<VaultHeaderRow> {
	const kdf = {
		algorithm: 'argon2id' as const,
		memoryKiB: options.kdf.memoryKiB,
		iterations: options.kdf.iterations,
		parallelism: options.kdf.parallelism,
		salt: randomBytes(SALT_LENGTH)
	};
	const fields: Omit<VaultHeaderRow, 'id' | 'wrappedKey'> = {
		format: 2,
		kdf,
		hint: options.hint.trim(),
		createdAt: options.createdAt,
		keyGeneration: options.keyGeneration,
		...(options.inboxPublicKey ? { inboxPublicKey: options.inboxPublicKey } : {}),
		authorityPublicKey: authorityPublicKey(options.authoritySeed)
	};
	const passwordKey = await options.deriveKey(options.password, kdf);
	const plaintext = concatBytes(options.vaultKey, options.authoritySeed);
	try {
		const wrappedKey = seal({
			key: passwordKey,
			plaintext,
			associatedData: headerAssociatedData(fields)
		});
		return { id: 'main', ...fields, wrappedKey };
	} finally {
		wipe(passwordKey, plaintext);
	}
}

/** Opens a header with a password; throws WrongPasswordError when either is wrong. */
export async function openHeader(
	header: VaultHeaderRow,
	password: string,
	deriveKey: PasswordKeyDeriver
): Promise<OpenedHeader> {
	const passwordKey = await deriveKey(password, header.kdf);
	let plaintext: Uint8Array;
	try {
		plaintext = open({
			key: passwordKey,
			sealed: header.wrappedKey,
			associatedData: headerAssociatedData(header)
		});
	} catch {
		throw new WrongPasswordError();
	} finally {
		wipe(passwordKey);
	}
	if (header.format === 1 && plaintext.length === 32) return { vaultKey: plaintext };
	const vaultKey = plaintext.slice(0, 32);
	const authoritySeed = plaintext.slice(32);
	wipe(plaintext);
	if (
		header.format !== 2 ||
		authoritySeed.length !== AUTHORITY_SEED_LENGTH ||
		!header.authorityPublicKey ||
		!equalBytes(authorityPublicKey(authoritySeed), header.authorityPublicKey)
	) {
		wipe(vaultKey, authoritySeed);
		throw new WrongPasswordError();
	}
	return { vaultKey, authoritySeed };
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
	const authoritySeed = randomBytes(AUTHORITY_SEED_LENGTH);
	const inbox = generateBoxKeyPair();
	const header = await sealHeader({
		vaultKey,
		authoritySeed,
		password: options.password,
		kdf: options.vault?.kdf ?? DEFAULT_KDF,
		keyGeneration: 1,
		hint: options.hint ?? '',
		// The header is in clear: the day is enough for "created on", the exact time is not kept.
		createdAt: dayOf(Date.now()),
		inboxPublicKey: inbox.publicKey,
		deriveKey
	});
	const vault = new UnlockedVault(db, vaultKey, deriveKey, { seed: authoritySeed });
	const inboxKeyRow = vault.sealRecord(INBOX_KEY_RECORD, Array.from(inbox.secretKey));
	wipe(inbox.secretKey);
	await db.transaction('rw', [db.header, db.records, db.scans, db.inbox], async () => {
		if (await db.header.get('main')) throw new Error('A vault already exists on this device');
		// Rows with no header are what a restore cut short left (backup.ts): nothing opens them.
		await Promise.all([db.records.clear(), db.scans.clear(), db.inbox.clear()]);
		await db.header.add(header);
		await db.records.put(inboxKeyRow);
	});
	return vault;
}

/**
 * Throws WrongPasswordError when the password (or the stored header) is wrong. A password that
 * does not open the main header but opens a pending one (a password changed on another device,
 * header-sync.ts) makes that one the main header: the only way a header from elsewhere is
 * adopted. A format-1 header is upgraded to format 2 (a new authority) while the password is here.
 */
export async function unlockVault(options: {
	password: string;
	vault?: VaultOptions;
}): Promise<UnlockedVault> {
	const db = options.vault?.db ?? openDatabase();
	const deriveKey = options.vault?.deriveKey ?? deriveOnThisThread;
	const main = await db.header.get('main');
	if (!main) throw new Error('No vault on this device');
	const tryPending = () =>
		adoptPendingHeader({
			db,
			main,
			password: options.password,
			deriveKey,
			floor: options.vault?.kdfFloor ?? DEFAULT_KDF
		});
	let opened: OpenedHeader;
	try {
		opened = await openHeader(main, options.password, deriveKey);
	} catch (error) {
		const adopted = await tryPending();
		if (!adopted) throw error;
		opened = adopted;
	}
	if (opened.authoritySeed) {
		return new UnlockedVault(db, opened.vaultKey, deriveKey, { seed: opened.authoritySeed });
	}
	// A format-1 vault. Another device may have upgraded already (its header waits as pending,
	// under the same password): take its authority rather than make a second one.
	const fromPeer = await tryPending();
	if (fromPeer?.authoritySeed) {
		wipe(opened.vaultKey);
		return new UnlockedVault(db, fromPeer.vaultKey, deriveKey, { seed: fromPeer.authoritySeed });
	}
	const seed = randomBytes(AUTHORITY_SEED_LENGTH);
	const upgraded = await sealHeader({
		...main,
		vaultKey: opened.vaultKey,
		authoritySeed: seed,
		password: options.password,
		kdf: options.vault?.kdf ?? raisedKdf(main.kdf),
		deriveKey
	});
	await db.transaction('rw', db.header, async () => {
		const current = await db.header.get('main');
		if (current && equalBytes(current.wrappedKey, main.wrappedKey)) await db.header.put(upgraded);
	});
	return new UnlockedVault(db, opened.vaultKey, deriveKey, { seed, fromFormat1: true });
}

/**
 * While unlocked: the person typed the password that was changed on another device, and it
 * opens the pending header, which becomes this device's. Throws WrongPasswordError otherwise.
 */
export async function confirmPendingHeader(options: {
	db: PapiersDb;
	password: string;
	deriveKey: PasswordKeyDeriver;
	floor?: KdfCost;
}): Promise<void> {
	const main = await options.db.header.get('main');
	if (!main) throw new Error('No vault on this device');
	const opened = await adoptPendingHeader({
		...options,
		main,
		floor: options.floor ?? DEFAULT_KDF
	});
	if (!opened) throw new WrongPasswordError();
	wipe(opened.vaultKey);
	if (opened.authoritySeed) wipe(opened.authoritySeed);
}

/** The shipped cost, or the header's own where it is higher. */
function raisedKdf(kdf: KdfCost): KdfCost {
	return {
		memoryKiB: Math.max(kdf.memoryKiB, DEFAULT_KDF.memoryKiB),
		iterations: Math.max(kdf.iterations, DEFAULT_KDF.iterations),
		parallelism: kdf.parallelism
	};
}

/**
 * Tries the pending header with a password the main one refused. It is adopted only if it
 * belongs to this vault: same key generation, at least the floor's cost, and its key opens a
 * record stored here (so a header with another key cannot make the papers unreadable).
 */
async function adoptPendingHeader(options: {
	db: PapiersDb;
	main: VaultHeaderRow;
	password: string;
	deriveKey: PasswordKeyDeriver;
	floor: KdfCost;
}): Promise<OpenedHeader | undefined> {
	const { db, main } = options;
	const pending = await db.header.get('pending');
	if (!pending || pending.keyGeneration !== main.keyGeneration) return undefined;
	if (!meetsKdfFloor(pending.kdf, options.floor)) return undefined;
	let opened: OpenedHeader;
	try {
		opened = await openHeader(pending, options.password, options.deriveKey);
	} catch {
		return undefined;
	}
	const samples = await db.records.limit(8).toArray();
	if (samples.length > 0) {
		const probe = new UnlockedVault(db, opened.vaultKey.slice(), options.deriveKey);
		const opensOne = samples.some((row) => {
			try {
				probe.openRecord(row);
				return true;
			} catch {
				return false;
			}
		});
		probe.lock();
		if (!opensOne) return undefined;
	}
	const adopted = await db.transaction('rw', db.header, async () => {
		const current = await db.header.get('main');
		if (!current || !equalBytes(current.wrappedKey, main.wrappedKey)) return false;
		await db.header.put({ ...pending, id: 'main' });
		await db.header.delete('pending');
		return true;
	});
	return adopted ? opened : undefined;
}

/** Forgotten password: there is no recovery, only a fresh start. */
export async function resetVault(db: PapiersDb = openDatabase()): Promise<void> {
	await db.transaction('rw', [db.header, db.records, db.scans, db.inbox], async () => {
		await Promise.all([db.header.clear(), db.records.clear(), db.scans.clear(), db.inbox.clear()]);
	});
}

/** An authority seed in memory; `fromFormat1`: the vault got its authority at this unlock. */
export interface HeldAuthority {
	seed: Uint8Array;
	fromFormat1?: boolean;
}

export class UnlockedVault implements RecordStore {
	#db: PapiersDb;
	#vaultKey: Uint8Array;
	#recordKey: Uint8Array;
	#scanKey: Uint8Array;
	#idKey: Uint8Array;
	#deriveKey: PasswordKeyDeriver;
	#authority: HeldAuthority | undefined;
	#listeners = new Set<(change: RowChange) => void>();
	#locked = false;

	/** `authority`: the seed opened with the password, held until takeAuthority(). */
	constructor(
		db: PapiersDb,
		vaultKey: Uint8Array,
		deriveKey: PasswordKeyDeriver,
		authority?: HeldAuthority
	) {
		this.#db = db;
		this.#authority = authority;
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

	/**
	 * The authority seed the password opened, given once and then forgotten: holding the vault
	 * key must not mean holding the authority (authority.ts). The sync engine takes it at start
	 * to sign this device's membership; the caller wipes it.
	 */
	takeAuthority(): HeldAuthority | undefined {
		const authority = this.#authority;
		this.#authority = undefined;
		return authority;
	}

	/**
	 * For passkey.ts only: seals the vault key with `wrap` (a passkey wrap) so the key itself
	 * never leaves this object. Never the authority: a passkey opens the key, nothing more.
	 */
	wrapVaultKey(wrap: (vaultKey: Uint8Array) => Uint8Array): Uint8Array {
		this.#assertUnlocked();
		return wrap(this.#vaultKey);
	}

	/** For the sync module (room name and secret) and backup files (their MAC key). */
	deriveSubkey(purpose: 'sync-room-name' | 'sync-room-secret' | 'backup-file'): Uint8Array {
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
	 * Re-wraps the same vault key and authority under a new password. Records and scans are
	 * untouched: they are sealed with subkeys of the vault key, which does not change. Other
	 * devices take the new header only when their person types the new password (header-sync.ts).
	 */
	async changePassword(options: {
		currentPassword: string;
		newPassword: string;
		hint?: string;
		kdf?: KdfCost;
	}): Promise<void> {
		this.#assertUnlocked();
		const header = await this.#db.header.get('main');
		if (!header) throw new Error('No vault on this device');
		// Proves the person at the device knows the current password, not just that it is unlocked.
		const opened = await openHeader(header, options.currentPassword, this.#deriveKey);
		const authoritySeed = opened.authoritySeed ?? randomBytes(AUTHORITY_SEED_LENGTH);
		try {
			const next = await sealHeader({
				...header,
				vaultKey: this.#vaultKey,
				authoritySeed,
				password: options.newPassword,
				kdf: options.kdf ?? raisedKdf(header.kdf),
				hint: options.hint === undefined ? header.hint : options.hint,
				deriveKey: this.#deriveKey
			});
			await this.#db.transaction('rw', this.#db.header, async () => {
				await this.#db.header.put(next);
				await this.#db.header.delete('pending');
			});
		} finally {
			wipe(opened.vaultKey, authoritySeed);
		}
	}

	/** Drops every key from memory; the object is unusable afterwards. */
	lock(): void {
		if (this.#locked) return;
		this.#locked = true;
		wipe(this.#vaultKey, this.#recordKey, this.#scanKey, this.#idKey);
		if (this.#authority) wipe(this.#authority.seed);
		this.#authority = undefined;
		this.#listeners.clear();
	}

	#assertUnlocked(): void {
		if (this.#locked) throw new Error('The vault is locked');
	}

	#emit(change: RowChange): void {
		for (const listener of this.#listeners) listener(change);
	}
}
