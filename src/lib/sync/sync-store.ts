/**
 * The sync module's own IndexedDB database, apart from the vault's ('papiers'), so the vault's
 * schema stays the vault's. It holds ciphertext and bookkeeping only:
 *   updates  the sync document as Yjs updates in Yjs's v2 encoding, appended as they happen and
 *            merged into one now and then, so a restart reloads the document instead of
 *            resending everything (v2 packs the stubs that overwritten versions leave: 1,000
 *            edits spread over ten records take about 1.1x the live data, against 5x in v1);
 *   bases    per row, the fingerprint of the version this device's store and the document
 *            last agreed on: what a local save replaced, and how a change made while sync was
 *            not running is told from a change that arrived from another device;
 *   meta     which vault the rest belongs to, and this device's slot name in the document;
 *   scanRefs per scan in the vault's store, its reference (scan-ref.ts: size and SHA-256 of the
 *            sealed bytes) and the fingerprint of the row it was computed from, so the mirror
 *            knows what the store holds without reading megabytes of scans at every open;
 *   pieces   parts of scans being received (scan-transfer.ts), kept across a dropped link so
 *            the transfer resumes where it stopped; deleted once the scan is in the vault.
 * Writes are batched: everything queued in one tick goes in one transaction.
 */
import Dexie, { type EntityTable } from 'dexie';
import { releaseOnLeave } from '$lib/vault/page-leave';
import { newSlotName } from './doc-versions';

export const SYNC_DB_NAME = 'papiers-sync';
/** Stored updates beyond which they are merged into one. */
const COMPACT_AFTER_UPDATES = 200;

interface UpdateRow {
	seq?: number;
	update: Uint8Array;
}

interface BaseRow {
	key: string;
	fingerprint: string;
}

/** What the store knows of one sealed scan of the vault's store. */
export interface ScanRefEntry {
	id: string;
	/** versionFingerprint of the sealed row the reference was computed from. */
	fingerprint: string;
	v: number;
	at: number;
	/** The 36-byte reference (scan-ref.ts). */
	ref: Uint8Array;
}

/** Contiguous received bytes of one scan, from `offset`. */
export interface PieceRow {
	address: string;
	offset: number;
	bytes: Uint8Array;
}

interface MetaRow {
	id: 'main';
	/** 2: scans are kept by reference; bases of scans stored before are dropped at open. */
	scanLayout?: number;
	/** Derived from the vault key by the caller: another vault's state is never reused. */
	vaultTag: string;
	slot: string;
	/** Encoding of the stored updates; state stored in another one is dropped and rebuilt. */
	encoding?: number;
}

const UPDATE_ENCODING = 2;
const SCAN_LAYOUT = 2;

type SyncDb = Dexie & {
	updates: EntityTable<UpdateRow, 'seq'>;
	bases: EntityTable<BaseRow, 'key'>;
	meta: EntityTable<MetaRow, 'id'>;
	scanRefs: EntityTable<ScanRefEntry, 'id'>;
	pieces: Dexie.Table<PieceRow, [string, number]>;
};

function openSyncDatabase(name: string): SyncDb {
	const db = new Dexie(name) as SyncDb;
	db.version(1).stores({ updates: '++seq', bases: 'key', meta: 'id' });
	db.version(2).stores({ scanRefs: 'id', pieces: '[address+offset]' });
	return releaseOnLeave(db);
}

export interface LoadedSyncState {
	store: SyncStore;
	updates: Uint8Array[];
	bases: Map<string, string>;
	slot: string;
	scanRefs: ScanRefEntry[];
}

/** Merges stored updates (possibly from another tab) into the live document, returns its state. */
export type StateMerger = (storedUpdates: Uint8Array[]) => Uint8Array;

export class SyncStore {
	#db: SyncDb;
	#pendingUpdates: Uint8Array[] = [];
	#pendingBases = new Map<string, string | undefined>();
	#storedUpdateCount: number;
	#mergeState: StateMerger | undefined;
	#writing: Promise<void> = Promise.resolve();
	#writeScheduled = false;
	#failure: unknown;

	private constructor(db: SyncDb, storedUpdateCount: number) {
		this.#db = db;
		this.#storedUpdateCount = storedUpdateCount;
	}

	static async open(options: { name?: string; vaultTag: string }): Promise<LoadedSyncState> {
		const db = openSyncDatabase(options.name ?? SYNC_DB_NAME);
		const tables = [db.updates, db.bases, db.meta, db.scanRefs, db.pieces];
		const loaded = await db.transaction('rw', tables, async () => {
			let meta = await db.meta.get('main');
			if (!meta || meta.vaultTag !== options.vaultTag || meta.encoding !== UPDATE_ENCODING) {
				await Promise.all(tables.map((table) => table.clear()));
				meta = {
					id: 'main',
					vaultTag: options.vaultTag,
					slot: newSlotName(),
					encoding: UPDATE_ENCODING,
					scanLayout: SCAN_LAYOUT
				};
				await db.meta.put(meta);
			}
			if (meta.scanLayout !== SCAN_LAYOUT) {
				// Bases named whole sealed scans; the mirror now compares references.
				await db.bases.where('key').startsWith('scans/').delete();
				meta = { ...meta, scanLayout: SCAN_LAYOUT };
				await db.meta.put(meta);
			}
			const [updates, bases, scanRefs] = await Promise.all([
				db.updates.toArray(),
				db.bases.toArray(),
				db.scanRefs.toArray()
			]);
			return { meta, updates, bases, scanRefs };
		});
		return {
			store: new SyncStore(db, loaded.updates.length),
			updates: loaded.updates.map((row) => row.update),
			bases: new Map(loaded.bases.map((row) => [row.key, row.fingerprint])),
			slot: loaded.meta.slot,
			scanRefs: loaded.scanRefs
		};
	}

	static async deleteDatabase(name = SYNC_DB_NAME): Promise<void> {
		await Dexie.delete(name);
	}

	/** Enables merging stored updates once they pile up. */
	setStateMerger(merge: StateMerger): void {
		this.#mergeState = merge;
	}

	queueUpdate(update: Uint8Array): void {
		this.#pendingUpdates.push(update);
		this.#scheduleWrite();
	}

	/** undefined forgets the base: the row no longer exists on either side. */
	queueBase(key: string, fingerprint: string | undefined): void {
		this.#pendingBases.set(key, fingerprint);
		this.#scheduleWrite();
	}

	/** Resolves once everything queued so far is stored; rejects if a write failed. */
	async written(): Promise<void> {
		let awaited: Promise<void>;
		do {
			awaited = this.#writing;
			await awaited;
		} while (awaited !== this.#writing);
		if (this.#failure) throw this.#failure;
	}

	/** Remembers (entry) or forgets (id) what the vault's store holds for a scan. */
	async writeScanRefs(put: ScanRefEntry[], remove: string[] = []): Promise<void> {
		if (!put.length && !remove.length) return;
		const db = this.#db;
		await db.transaction('rw', db.scanRefs, async () => {
			if (put.length) await db.scanRefs.bulkPut(put);
			if (remove.length) await db.scanRefs.bulkDelete(remove);
		});
	}

	/** Received pieces of one scan, in order of offset. */
	async readPieces(address: string): Promise<PieceRow[]> {
		return this.#db.pieces
			.where('[address+offset]')
			.between([address, Dexie.minKey], [address, Dexie.maxKey])
			.toArray();
	}

	/** Bytes of one scan received so far, contiguous from 0, without reading them. */
	async receivedBytes(address: string): Promise<number> {
		// Lengths need the rows: pieces exist only for the scans being received, a few MiB each.
		const rows = await this.readPieces(address);
		let end = 0;
		for (const row of rows) {
			if (row.offset !== end) break;
			end += row.bytes.length;
		}
		return end;
	}

	async addPiece(piece: PieceRow): Promise<void> {
		await this.#db.pieces.put(piece);
	}

	async deletePieces(address: string): Promise<void> {
		await this.#db.pieces
			.where('[address+offset]')
			.between([address, Dexie.minKey], [address, Dexie.maxKey])
			.delete();
	}

	/** Addresses with pieces stored: what a transfer left behind. */
	async pieceAddresses(): Promise<string[]> {
		const keys = (await this.#db.pieces.toCollection().primaryKeys()) as [string, number][];
		return [...new Set(keys.map(([address]) => address))];
	}

	get storedUpdateCount(): number {
		return this.#storedUpdateCount;
	}

	async close(): Promise<void> {
		await this.written().catch(() => {});
		this.#db.close();
	}

	#scheduleWrite(): void {
		if (this.#writeScheduled) return;
		this.#writeScheduled = true;
		// Often called inside a transaction of the vault's database (the mirror writes the
		// document while settling rows): the write chain must not inherit that transaction.
		Dexie.ignoreTransaction(() => this.#chainWrite());
	}

	#chainWrite(): void {
		this.#writing = this.#writing.then(async () => {
			this.#writeScheduled = false;
			try {
				await this.#writePending();
				if (this.#storedUpdateCount > COMPACT_AFTER_UPDATES) await this.compact();
			} catch (error) {
				this.#failure = error;
				console.error('Sync state could not be stored', error);
			}
		});
	}

	async #writePending(): Promise<void> {
		const updates = this.#pendingUpdates.splice(0);
		const bases = [...this.#pendingBases];
		this.#pendingBases.clear();
		if (!updates.length && !bases.length) return;
		const db = this.#db;
		await db.transaction('rw', db.updates, db.bases, async () => {
			if (updates.length) await db.updates.bulkAdd(updates.map((update) => ({ update })));
			const kept = bases.filter(([, fingerprint]) => fingerprint !== undefined);
			const forgotten = bases.filter(([, fingerprint]) => fingerprint === undefined);
			if (kept.length) {
				await db.bases.bulkPut(
					kept.map(([key, fingerprint]) => ({ key, fingerprint: fingerprint as string }))
				);
			}
			if (forgotten.length) await db.bases.bulkDelete(forgotten.map(([key]) => key));
		});
		this.#storedUpdateCount += updates.length;
	}

	/**
	 * Replaces the stored updates by one update of the whole document. Updates stored by another
	 * tab are merged into the document first, inside the same transaction, so none is lost.
	 */
	async compact(): Promise<void> {
		const merge = this.#mergeState;
		if (!merge) return;
		const db = this.#db;
		await db.transaction('rw', db.updates, async () => {
			const stored = await db.updates.toArray();
			const state = merge(stored.map((row) => row.update));
			await db.updates.clear();
			await db.updates.add({ update: state });
		});
		this.#storedUpdateCount = 1;
	}
}
