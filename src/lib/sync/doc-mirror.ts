/**
 * Mirrors the vault's Dexie tables (records, scans) into the sync document and back, with no
 * echo: what this device writes to the document carries LOCAL_ORIGIN and is never written back
 * to Dexie; what arrives from elsewhere (y-webrtc, another tab, a test's Y.applyUpdate) is
 * written to Dexie by the mirror itself, in one transaction per batch, and never re-announced.
 *
 * Local side: the vault tells the mirror after each committed save or delete (recordSaved,
 * recordDeleted, scanSaved, scanDeleted, or applyLocalChange with the vault's RowChange).
 * That is exact and cheap; when a notice is missed (tab killed between the Dexie commit and
 * the notice, sync off), reconcile() at open finds the difference: for each row it compares
 * this device's store, the document, and the version both last agreed on (the "base", kept in
 * the sync database). A store row that is neither in the document nor the base was changed
 * here; a base that the store lost was deleted here; anything else came from another device.
 *
 * Conflicts follow doc-versions.ts: a save replaces only the version it was based on, so
 * concurrent saves all survive. Dexie holds one row per id, so during a conflict it keeps the
 * version it already had if that is still live (else the newest); listConflicts() shows them
 * all and resolveConflict() settles one.
 */
import { SerialQueue } from './serial-queue';
import * as Y from 'yjs';
import type { PapiersDb } from '$lib/vault/db';
import type { SealedRow } from '$lib/vault/types';
import { rowIdOfKey, SYNCED_TABLES, VersionedRows, type SyncedTable } from './doc-versions';
import { SyncStore } from './sync-store';
import { sameVersion, versionFingerprint } from './version-value';

/** Origin of document transactions that record this device's own saves. */
export const LOCAL_ORIGIN = Symbol('papiers-sync-local');
/** Origin of updates loaded from this device's sync database. */
export const STORED_ORIGIN = Symbol('papiers-sync-stored');

/** The vault's RowChange (vault.ts), repeated here so sync does not depend on the vault's code. */
export type LocalRowChange =
	| { table: SyncedTable; kind: 'put'; row: SealedRow }
	| { table: SyncedTable; kind: 'delete'; id: string };

export interface LocalChangeOptions {
	/**
	 * The row this save or delete was based on: what the person saw when editing. Omitted, it is
	 * the version this device's store last agreed on with the document. null: a new row that
	 * replaces nothing.
	 */
	replaces?: SealedRow | null;
}

export interface SyncConflict {
	table: SyncedTable;
	id: string;
	/** Two or more different versions, newest save first. */
	versions: SealedRow[];
}

export interface DocMirrorOptions {
	vaultDb: PapiersDb;
	/** A value derived from the vault key (the sync room name serves): another vault's sync state is discarded. */
	vaultTag: string;
	/** Tests give each device its own name; the app uses the default. */
	syncDbName?: string;
}

interface Settlement {
	put?: SealedRow;
	remove?: true;
	base: string | undefined;
}

const RECONCILE_BATCH = 100;
/** Stored updates above which opening merges them into one (the store also merges as it goes). */
const COMPACT_AT_OPEN_AFTER = 20;

function baseKey(table: SyncedTable, id: string): string {
	return `${table}/${id}`;
}

export class DocMirror {
	readonly doc: Y.Doc;
	#vaultDb: PapiersDb;
	#store: SyncStore;
	#rows: Record<SyncedTable, VersionedRows>;
	#bases: Map<string, string>;
	#dirty: Record<SyncedTable, Set<string>> = { records: new Set(), scans: new Set() };
	#work = new SerialQueue((error) => {
		this.#failure = error;
		console.error('Sync mirror failed', error);
	});
	#flushScheduled = false;
	#closed = false;
	#failure: unknown;
	#detach: (() => void)[] = [];

	static async open(options: DocMirrorOptions): Promise<DocMirror> {
		const loaded = await SyncStore.open({ name: options.syncDbName, vaultTag: options.vaultTag });
		const doc = new Y.Doc();
		doc.transact(() => {
			for (const update of loaded.updates) Y.applyUpdateV2(doc, update);
		}, STORED_ORIGIN);
		const mirror = new DocMirror({ doc, vaultDb: options.vaultDb, ...loaded });
		await mirror.reconcile();
		if (loaded.updates.length > COMPACT_AT_OPEN_AFTER) await mirror.compactStorage();
		return mirror;
	}

	private constructor(options: {
		doc: Y.Doc;
		vaultDb: PapiersDb;
		store: SyncStore;
		bases: Map<string, string>;
		slot: string;
	}) {
		const { doc, store } = options;
		this.doc = doc;
		this.#vaultDb = options.vaultDb;
		this.#store = store;
		this.#bases = options.bases;
		this.#rows = {
			records: new VersionedRows({ doc, table: 'records', slot: options.slot }),
			scans: new VersionedRows({ doc, table: 'scans', slot: options.slot })
		};

		store.setStateMerger((storedUpdates) => {
			doc.transact(() => {
				for (const update of storedUpdates) Y.applyUpdateV2(doc, update);
			}, STORED_ORIGIN);
			return Y.encodeStateAsUpdateV2(doc);
		});
		const persist = (update: Uint8Array, origin: unknown) => {
			if (origin !== STORED_ORIGIN) store.queueUpdate(update);
		};
		// Stored in Yjs's v2 encoding (sync-store.ts); peers still speak v1 through y-webrtc.
		doc.on('updateV2', persist);
		this.#detach.push(() => doc.off('updateV2', persist));

		for (const table of SYNCED_TABLES) {
			const map = this.#rows[table].map;
			const observer = (event: Y.YMapEvent<Uint8Array>) => {
				if (event.transaction.origin === LOCAL_ORIGIN) return;
				for (const key of event.keysChanged) {
					const id = rowIdOfKey(key);
					if (id !== undefined) this.#dirty[table].add(id);
				}
				this.#scheduleFlush();
			};
			map.observe(observer);
			this.#detach.push(() => map.unobserve(observer));
		}
	}

	/** Forwards the vault's change notices: `vault.onChange((c) => mirror.applyLocalChange(c))`. */
	applyLocalChange(change: LocalRowChange, options: LocalChangeOptions = {}): void {
		if (change.kind === 'put') this.#saved(change.table, change.row, options);
		else this.#deleted(change.table, change.id, options);
	}

	recordSaved(row: SealedRow, options: LocalChangeOptions = {}): void {
		this.#saved('records', row, options);
	}

	recordDeleted(id: string, options: LocalChangeOptions = {}): void {
		this.#deleted('records', id, options);
	}

	scanSaved(row: SealedRow, options: LocalChangeOptions = {}): void {
		this.#saved('scans', row, options);
	}

	scanDeleted(id: string, options: LocalChangeOptions = {}): void {
		this.#deleted('scans', id, options);
	}

	/** Rows saved concurrently on different devices, waiting for the person to choose. */
	listConflicts(): SyncConflict[] {
		const conflicts: SyncConflict[] = [];
		for (const table of SYNCED_TABLES) {
			for (const id of this.#rows[table].ids()) {
				const versions = this.#rows[table].distinctVersions(id);
				if (versions.length > 1) conflicts.push({ table, id, versions });
			}
		}
		return conflicts;
	}

	/**
	 * Settles a row: `chosen` (one of the listed versions, or a new row the vault sealed from
	 * them) replaces every version this device knows; null deletes the row everywhere.
	 * A version saved elsewhere meanwhile, unseen here, survives as a new conflict.
	 */
	async resolveConflict(options: {
		table?: SyncedTable;
		id: string;
		chosen: SealedRow | null;
	}): Promise<void> {
		this.#assertOpen();
		const { id, chosen } = options;
		const table = options.table ?? 'records';
		if (chosen && chosen.id !== id) throw new Error('The chosen row belongs to another id');
		await this.#enqueue(async () => {
			const rows = this.#rows[table];
			this.doc.transact(() => {
				if (chosen) rows.save(chosen, () => true);
				else rows.remove(id, () => true);
			}, LOCAL_ORIGIN);
			const dexieTable = this.#vaultDb[table];
			await this.#vaultDb.transaction('rw', dexieTable, async () => {
				if (chosen) await dexieTable.put(chosen);
				else await dexieTable.delete(id);
			});
			this.#setBase(table, id, chosen ? versionFingerprint(chosen) : undefined);
		});
	}

	/**
	 * Adds rows from outside sync (a backup file being merged) as versions beside the ones this
	 * device knows, replacing none, by the same rule as a save from another device: a row this
	 * vault lacks (never had, or deleted since) is added to the store; a row it holds with other
	 * content keeps both versions, a conflict listConflicts() shows and the person resolves; an
	 * identical row changes nothing. The added versions reach the other devices like any save.
	 */
	async addVersions(
		batch: { table: SyncedTable; row: SealedRow }[]
	): Promise<{ added: number; conflicts: number; same: number }> {
		this.#assertOpen();
		const counts = { added: 0, conflicts: 0, same: 0 };
		await this.#enqueue(async () => {
			const touched: Record<SyncedTable, string[]> = { records: [], scans: [] };
			this.doc.transact(() => {
				for (const { table, row } of batch) {
					const versions = this.#rows[table].distinctVersions(row.id);
					if (versions.some((version) => sameVersion(version, row))) {
						counts.same++;
						continue;
					}
					if (versions.length === 0) counts.added++;
					else counts.conflicts++;
					this.#rows[table].save(row, () => false);
					touched[table].push(row.id);
				}
			}, LOCAL_ORIGIN);
			// Writes the rows the store lacks; a store row still live stays as it is.
			for (const table of SYNCED_TABLES) await this.#settleRows(table, touched[table]);
		});
		return counts;
	}

	/**
	 * Brings store and document into agreement for every row either side or the base knows.
	 * Runs at open; call it again after the vault was changed with sync off.
	 */
	async reconcile(): Promise<void> {
		this.#assertOpen();
		await this.#enqueue(async () => {
			for (const table of SYNCED_TABLES) {
				const ids = new Set<string>(await this.#vaultDb[table].toCollection().primaryKeys());
				for (const id of this.#rows[table].ids()) ids.add(id);
				const prefix = `${table}/`;
				for (const key of this.#bases.keys()) {
					if (key.startsWith(prefix)) ids.add(key.slice(prefix.length));
				}
				const all = [...ids];
				for (let start = 0; start < all.length; start += RECONCILE_BATCH) {
					await this.#settleRows(table, all.slice(start, start + RECONCILE_BATCH));
				}
			}
		});
	}

	/** Resolves when every change seen so far is in Dexie and the sync database. */
	async settled(): Promise<void> {
		await this.#work.settled();
		await this.#store.written();
		if (this.#failure) throw this.#failure;
	}

	/** Rewrites the stored document as a single update of its current state. */
	async compactStorage(): Promise<void> {
		this.#assertOpen();
		await this.settled();
		await this.#store.compact();
	}

	/** Stops mirroring and closes the sync database. Stop the transport first. */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		for (const detach of this.#detach) detach();
		await this.#work.settled();
		await this.#store.close();
	}

	#saved(table: SyncedTable, row: SealedRow, options: LocalChangeOptions): void {
		this.#assertOpen();
		const replaced = this.#replacedFingerprint(table, row.id, options);
		this.doc.transact(() => {
			this.#rows[table].save(row, (version) => versionFingerprint(version) === replaced);
		}, LOCAL_ORIGIN);
		this.#setBase(table, row.id, versionFingerprint(row));
	}

	#deleted(table: SyncedTable, id: string, options: LocalChangeOptions): void {
		this.#assertOpen();
		const replaced = this.#replacedFingerprint(table, id, options);
		const rows = this.#rows[table];
		this.doc.transact(() => {
			rows.remove(id, (version) => versionFingerprint(version) === replaced);
		}, LOCAL_ORIGIN);
		this.#setBase(table, id, undefined);
		if (rows.versions(id).length > 0) {
			// Edits this delete did not see survive it, and come back into the store.
			this.#dirty[table].add(id);
			this.#scheduleFlush();
		}
	}

	#replacedFingerprint(
		table: SyncedTable,
		id: string,
		options: LocalChangeOptions
	): string | undefined {
		if (options.replaces === null) return undefined;
		if (options.replaces) return versionFingerprint(options.replaces);
		return this.#bases.get(baseKey(table, id));
	}

	/** Decides one row from its store row, its live versions and its base; see the header. */
	#settle(table: SyncedTable, id: string, current: SealedRow | undefined): Settlement {
		const rows = this.#rows[table];
		const base = this.#bases.get(baseKey(table, id));
		const isBase = (version: SealedRow) => versionFingerprint(version) === base;
		let versions = rows.distinctVersions(id);
		const currentIsLive = current !== undefined && versions.some((v) => sameVersion(v, current));

		if (current && !currentIsLive && versionFingerprint(current) !== base) {
			// Saved here while the document did not hear of it.
			rows.save(current, isBase);
			return { base: versionFingerprint(current) };
		}
		if (!current && base !== undefined && versions.some(isBase)) {
			// Deleted here while the document did not hear of it; unseen edits survive.
			rows.remove(id, isBase);
			versions = rows.distinctVersions(id);
		}
		if (versions.length === 0)
			return current ? { remove: true, base: undefined } : { base: undefined };
		if (currentIsLive) return { base: versionFingerprint(current) };
		return { put: versions[0], base: versionFingerprint(versions[0]) };
	}

	async #settleRows(table: SyncedTable, ids: string[]): Promise<void> {
		if (ids.length === 0) return;
		const db = this.#vaultDb;
		const dexieTable = db[table];
		const bases: [string, string | undefined][] = [];
		await db.transaction('rw', dexieTable, async () => {
			const current = await dexieTable.bulkGet(ids);
			const puts: SealedRow[] = [];
			const removals: string[] = [];
			// Synchronous between the read and the writes, so nothing else runs in between.
			this.doc.transact(() => {
				ids.forEach((id, index) => {
					const settlement = this.#settle(table, id, current[index]);
					if (settlement.put) puts.push(settlement.put);
					if (settlement.remove) removals.push(id);
					bases.push([id, settlement.base]);
				});
			}, LOCAL_ORIGIN);
			if (puts.length) await dexieTable.bulkPut(puts);
			if (removals.length) await dexieTable.bulkDelete(removals);
		});
		// Only once the store holds them: a base must never name a version the store lacks.
		for (const [id, base] of bases) this.#setBase(table, id, base);
	}

	#setBase(table: SyncedTable, id: string, fingerprint: string | undefined): void {
		const key = baseKey(table, id);
		if (this.#bases.get(key) === fingerprint) return;
		if (fingerprint === undefined) this.#bases.delete(key);
		else this.#bases.set(key, fingerprint);
		this.#store.queueBase(key, fingerprint);
	}

	#scheduleFlush(): void {
		if (this.#flushScheduled || this.#closed) return;
		this.#flushScheduled = true;
		void this.#enqueue(async () => {
			// Let a burst of remote updates land first, then write them in one transaction.
			await new Promise((resolve) => setTimeout(resolve, 0));
			this.#flushScheduled = false;
			for (const table of SYNCED_TABLES) {
				const ids = [...this.#dirty[table]];
				this.#dirty[table].clear();
				try {
					for (let start = 0; start < ids.length; start += RECONCILE_BATCH) {
						await this.#settleRows(table, ids.slice(start, start + RECONCILE_BATCH));
					}
				} catch (error) {
					// Retried with the next remote change, or by reconcile() at the next open.
					for (const id of ids) this.#dirty[table].add(id);
					throw error;
				}
			}
		});
	}

	#enqueue(task: () => Promise<void>): Promise<void> {
		return this.#work.run(task);
	}

	#assertOpen(): void {
		if (this.#closed) throw new Error('The sync mirror is closed');
	}
}
