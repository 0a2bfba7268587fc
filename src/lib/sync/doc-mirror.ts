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
 *
 * Scans are mirrored by reference (scan-ref.ts): the document holds each scan version's size
 * and hash, never its bytes. The store's side of a scan is its reference, computed once per
 * sealed row and kept in the sync database (scanRefs), so settling never reads megabytes. A
 * scan version the store should take but does not hold is "wanted": scan-transfer.ts fetches
 * its bytes from a peer and hands them to scanArrived(), which writes them only if they hash
 * to the reference and the document still names that version. Documents written before kept
 * whole scans in a 'scans' map: their bytes move into the store, and out of the document, at
 * open (and whenever a device running older code writes there again).
 */
import { SerialQueue } from './serial-queue';
import * as Y from 'yjs';
import type { PapiersDb } from '$lib/vault/db';
import type { SealedRow } from '$lib/vault/types';
import {
	LEGACY_SCANS_MAP,
	rowIdOfKey,
	SYNCED_TABLES,
	VersionedRows,
	type SyncedTable
} from './doc-versions';
import { equalBytes } from '$lib/crypto/bytes';
import {
	hashSealedOffThread,
	isScanRef,
	readScanRef,
	refOfSealedScan,
	refRow,
	SCAN_REF_BYTES,
	type ScanRef
} from './scan-ref';
import type { PieceStore } from './scan-transfer';
import { SyncStore, type ScanRefEntry } from './sync-store';
import { decodeVersion, sameVersion, versionFingerprint } from './version-value';

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
/** Legacy scans moved out of the document per vault transaction (each a few MiB). */
const LEGACY_BATCH = 4;
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
	/** Per scan id in the vault's store: its reference (see the header). */
	#scanRefs: Map<string, ScanRefEntry>;
	#refWrites: Promise<void> = Promise.resolve();
	/** Scan versions the store should take and lacks, by id. */
	#wanted = new Map<string, ScanRef>();
	#wantedListeners = new Set<() => void>();
	#legacyScheduled = false;

	static async open(options: DocMirrorOptions): Promise<DocMirror> {
		const loaded = await SyncStore.open({ name: options.syncDbName, vaultTag: options.vaultTag });
		const doc = new Y.Doc();
		doc.transact(() => {
			for (const update of loaded.updates) Y.applyUpdateV2(doc, update);
		}, STORED_ORIGIN);
		const mirror = new DocMirror({ doc, vaultDb: options.vaultDb, ...loaded });
		let movedLegacyScans = false;
		await mirror.#enqueue(async () => {
			movedLegacyScans = await mirror.#moveLegacyScans();
		});
		await mirror.reconcile();
		if (movedLegacyScans || loaded.updates.length > COMPACT_AT_OPEN_AFTER) {
			await mirror.compactStorage();
		}
		return mirror;
	}

	private constructor(options: {
		doc: Y.Doc;
		vaultDb: PapiersDb;
		store: SyncStore;
		bases: Map<string, string>;
		slot: string;
		scanRefs: ScanRefEntry[];
	}) {
		const { doc, store } = options;
		this.doc = doc;
		this.#vaultDb = options.vaultDb;
		this.#store = store;
		this.#bases = options.bases;
		this.#scanRefs = new Map(options.scanRefs.map((entry) => [entry.id, entry]));
		this.#rows = {
			records: new VersionedRows({ doc, table: 'records', slot: options.slot }),
			scans: new VersionedRows({ doc, table: 'scans', slot: options.slot, wellFormed: isScanRef })
		};

		const legacy = doc.getMap<Uint8Array>(LEGACY_SCANS_MAP);
		const legacyObserver = (event: Y.YMapEvent<Uint8Array>) => {
			if (event.transaction.origin === LOCAL_ORIGIN || legacy.size === 0) return;
			if (this.#legacyScheduled || this.#closed) return;
			this.#legacyScheduled = true;
			void this.#enqueue(async () => {
				this.#legacyScheduled = false;
				if (!(await this.#moveLegacyScans())) return;
				await this.#reconcileTable('scans');
				// The stored updates still hold the bytes until merged into one.
				await this.#store.written();
				await this.#store.compact();
			});
		};
		legacy.observe(legacyObserver);
		this.#detach.push(() => legacy.unobserve(legacyObserver));

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
			if (table === 'scans') {
				// A scan is chosen by its reference: the store takes those bytes, or fetches them.
				const ref =
					chosen && chosen.ct.length !== SCAN_REF_BYTES ? refOfSealedScan(chosen) : chosen;
				const arrived = new Map<string, SealedRow>();
				if (ref && chosen !== ref) arrived.set(versionFingerprint(ref), chosen!);
				this.doc.transact(() => {
					if (ref) rows.save(ref, () => true);
					else rows.remove(id, () => true);
				}, LOCAL_ORIGIN);
				await this.#settleScans([id], arrived);
				return;
			}
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
			// Scans join the document by reference; their bytes are at hand for the store.
			const arrived = new Map<string, SealedRow>();
			const rowsOf = batch.map(({ table, row: sealed }) => {
				if (table !== 'scans') return { table, row: sealed };
				const row = refOfSealedScan(sealed);
				arrived.set(versionFingerprint(row), sealed);
				return { table, row };
			});
			this.doc.transact(() => {
				for (const { table, row } of rowsOf) {
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
			await this.#settleRows('records', touched.records);
			await this.#settleRows('scans', touched.scans, arrived);
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
			for (const table of SYNCED_TABLES) await this.#reconcileTable(table);
		});
	}

	async #reconcileTable(table: SyncedTable): Promise<void> {
		const ids = new Set<string>(await this.#vaultDb[table].toCollection().primaryKeys());
		for (const id of this.#rows[table].ids()) ids.add(id);
		const prefix = `${table}/`;
		for (const key of this.#bases.keys()) {
			if (key.startsWith(prefix)) ids.add(key.slice(prefix.length));
		}
		if (table === 'scans') {
			// References of scans the store no longer holds are forgotten.
			const stale = [...this.#scanRefs.keys()].filter((id) => !ids.has(id));
			if (stale.length) this.#rememberScanRefs([], stale);
		}
		const all = [...ids];
		for (let start = 0; start < all.length; start += RECONCILE_BATCH) {
			await this.#settleRows(table, all.slice(start, start + RECONCILE_BATCH));
		}
	}

	/** Where scan-transfer.ts keeps the parts of scans being received (the sync database). */
	get pieces(): PieceStore {
		return this.#store;
	}

	/** Scan versions the store should hold and lacks: what scan-transfer.ts fetches. */
	wantedScans(): ScanRef[] {
		return [...this.#wanted.values()];
	}

	/** Called whenever wantedScans() may have changed; returns an unsubscribe function. */
	onWantedChange(listener: () => void): () => void {
		this.#wantedListeners.add(listener);
		return () => this.#wantedListeners.delete(listener);
	}

	/**
	 * The scan a peer may fetch by this address: only a live version of the document that this
	 * device's store holds, with the fingerprint of the stored row that has exactly those bytes.
	 * Anything else (an address no live version names, a scan deleted, one not received yet) is
	 * refused.
	 */
	scanToServe(address: string): { ref: ScanRef; fingerprint: string } | undefined {
		if (this.#closed) return undefined;
		const rows = this.#rows.scans;
		for (const id of rows.ids()) {
			const entry = this.#scanRefs.get(id);
			if (!entry) continue;
			for (const { row } of rows.versions(id)) {
				const ref = readScanRef(row);
				if (ref?.address === address && equalBytes(row.ct, entry.ref)) {
					return { ref, fingerprint: entry.fingerprint };
				}
			}
		}
		return undefined;
	}

	/**
	 * Bytes received for a wanted scan. Written to the store only if they hash to the reference
	 * ('corrupt' otherwise) and the document still names that version for the store ('unwanted'
	 * otherwise).
	 */
	async scanArrived(ref: ScanRef, ct: Uint8Array): Promise<'written' | 'corrupt' | 'unwanted'> {
		this.#assertOpen();
		if (ct.length !== ref.size || !equalBytes(await hashSealedOffThread(ct), ref.hash)) {
			return 'corrupt';
		}
		const sealed: SealedRow = { id: ref.id, v: ref.v, at: ref.at, ct };
		// The bytes hash to the reference: its row is the one refOfSealedScan would make, without
		// hashing megabytes again on the main thread (0.7 s of a 20 MB transfer, profiled).
		const refRowFingerprint = versionFingerprint(refRow(ref));
		let written = false;
		await this.#enqueue(async () => {
			await this.#settleScans([ref.id], new Map([[refRowFingerprint, sealed]]));
			written = this.#scanRefs.get(ref.id)?.fingerprint === versionFingerprint(sealed);
		});
		return written ? 'written' : 'unwanted';
	}

	/** Settles scans by reference; `arrived`: sealed rows at hand, by their reference's fingerprint. */
	async #settleScans(ids: string[], arrived?: Map<string, SealedRow>): Promise<void> {
		const db = this.#vaultDb;
		const presentIds = async () =>
			new Set<string>(await db.scans.where(':id').anyOf(ids).primaryKeys());
		await this.#learnScanRefs([...(await presentIds())].filter((id) => !this.#scanRefs.has(id)));
		const bases: [string, string | undefined][] = [];
		const learned: ScanRefEntry[] = [];
		const forgotten: string[] = [];
		let wantedChanged = false;
		const want = (id: string, ref: ScanRef | undefined) => {
			const known = this.#wanted.get(id);
			if (ref && known && equalBytes(known.hash, ref.hash) && known.v === ref.v) return;
			if (!ref && !known) return;
			if (ref) this.#wanted.set(id, ref);
			else this.#wanted.delete(id);
			wantedChanged = true;
		};
		await db.transaction('rw', db.scans, async () => {
			// Dexie promises only, awaited directly: anything else would end the transaction.
			const present = new Set<string>(await db.scans.where(':id').anyOf(ids).primaryKeys());
			const puts: SealedRow[] = [];
			const removals: string[] = [];
			this.doc.transact(() => {
				for (const id of ids) {
					const entry = present.has(id) ? this.#scanRefs.get(id) : undefined;
					// Written meanwhile by another tab: its reference is learnt at the next pass.
					if (present.has(id) && !entry) continue;
					const current = entry ? { id, v: entry.v, at: entry.at, ct: entry.ref } : undefined;
					const settlement = this.#settle('scans', id, current);
					if (settlement.remove) {
						removals.push(id);
						forgotten.push(id);
						bases.push([id, undefined]);
						want(id, undefined);
					} else if (settlement.put) {
						const sealed = arrived?.get(versionFingerprint(settlement.put));
						if (sealed) {
							puts.push(sealed);
							learned.push(scanRefEntry(sealed, settlement.put));
							bases.push([id, settlement.base]);
							want(id, undefined);
						} else {
							// The base stays: the store does not hold this version yet.
							want(id, readScanRef(settlement.put));
						}
					} else {
						bases.push([id, settlement.base]);
						want(id, undefined);
					}
				}
			}, LOCAL_ORIGIN);
			if (puts.length) await db.scans.bulkPut(puts);
			if (removals.length) await db.scans.bulkDelete(removals);
		});
		this.#rememberScanRefs(learned, forgotten);
		for (const [id, base] of bases) this.#setBase('scans', id, base);
		if (wantedChanged) this.#notifyWanted();
	}

	/** Computes the references of scans the store holds and the sync database does not know. */
	async #learnScanRefs(ids: string[]): Promise<void> {
		const learned: ScanRefEntry[] = [];
		// One at a time: each is a sealed scan of up to a few MiB.
		for (const id of ids) {
			const row = await this.#vaultDb.scans.get(id);
			if (row) learned.push(scanRefEntry(row, refOfSealedScan(row)));
		}
		this.#rememberScanRefs(learned, []);
	}

	#rememberScanRefs(put: ScanRefEntry[], remove: string[]): void {
		if (!put.length && !remove.length) return;
		for (const entry of put) this.#scanRefs.set(entry.id, entry);
		for (const id of remove) this.#scanRefs.delete(id);
		this.#refWrites = this.#refWrites
			.then(() => this.#store.writeScanRefs(put, remove))
			.catch((error) => {
				this.#failure = error;
			});
	}

	#notifyWanted(): void {
		for (const listener of this.#wantedListeners) listener();
	}

	/**
	 * Moves whole scans out of the legacy 'scans' map: a scan the store lacks is written to it
	 * (its reference follows with reconciliation), then every legacy entry is deleted, so the
	 * bytes leave the document and, once compacted, the stored updates. True if it moved any.
	 */
	async #moveLegacyScans(): Promise<boolean> {
		const legacy = this.doc.getMap<Uint8Array>(LEGACY_SCANS_MAP);
		if (legacy.size === 0) return false;
		const newest = new Map<string, SealedRow>();
		for (const [key, value] of legacy) {
			const id = rowIdOfKey(key);
			const row = id === undefined ? undefined : decodeVersion(id, value);
			if (!row || row.ct.length === 0) continue;
			const known = newest.get(row.id);
			if (!known || known.at < row.at) newest.set(row.id, row);
		}
		const ids = [...newest.keys()];
		for (let start = 0; start < ids.length; start += LEGACY_BATCH) {
			const batch = ids.slice(start, start + LEGACY_BATCH);
			await this.#vaultDb.transaction('rw', this.#vaultDb.scans, async () => {
				const held = new Set(await this.#vaultDb.scans.where(':id').anyOf(batch).primaryKeys());
				const missing = batch.filter((id) => !held.has(id)).map((id) => newest.get(id)!);
				if (missing.length) await this.#vaultDb.scans.bulkPut(missing);
			});
		}
		this.doc.transact(() => {
			for (const key of [...legacy.keys()]) legacy.delete(key);
		}, LOCAL_ORIGIN);
		return true;
	}

	/** Resolves when every change seen so far is in Dexie and the sync database. */
	async settled(): Promise<void> {
		await this.#work.settled();
		await this.#refWrites;
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
		this.#wantedListeners.clear();
		await this.#work.settled();
		await this.#refWrites;
		await this.#store.close();
	}

	#saved(table: SyncedTable, sealed: SealedRow, options: LocalChangeOptions): void {
		this.#assertOpen();
		let row = sealed;
		if (table === 'scans') {
			row = refOfSealedScan(sealed);
			this.#rememberScanRefs([scanRefEntry(sealed, row)], []);
			if (this.#wanted.delete(row.id)) this.#notifyWanted();
		}
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
		if (table === 'scans') {
			this.#rememberScanRefs([], [id]);
			if (this.#wanted.delete(id)) this.#notifyWanted();
		}
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
		if (options.replaces) {
			const { replaces } = options;
			const asRef =
				table === 'scans' && replaces.ct.length !== SCAN_REF_BYTES
					? refOfSealedScan(replaces)
					: replaces;
			return versionFingerprint(asRef);
		}
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

	async #settleRows(
		table: SyncedTable,
		ids: string[],
		arrived?: Map<string, SealedRow>
	): Promise<void> {
		if (ids.length === 0) return;
		if (table === 'scans') return this.#settleScans(ids, arrived);
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

function scanRefEntry(sealed: SealedRow, ref: SealedRow): ScanRefEntry {
	return {
		id: sealed.id,
		fingerprint: versionFingerprint(sealed),
		v: sealed.v,
		at: sealed.at,
		ref: ref.ct
	};
}
