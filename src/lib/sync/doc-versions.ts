/**
 * The sync document's layout and its conflict rule.
 *
 * One Y.Doc per vault holds two Y.Maps, 'records' and 'scans', of ciphertext only. Each map is
 * flat: the key is `${rowId}@${slot}` and the value one saved version of that row
 * (version-value.ts). A slot is a short random name this device keeps in its sync database;
 * a device writes its saves into its own slot, so two devices never write the same map key
 * and Y.Map's rule (the higher client id wins a concurrent set) never decides between people.
 *
 * The rule, applied by every save:
 *   A save replaces exactly the versions it was based on (normally the version this device's
 *   store held) and keeps every other version. Replaced versions are deleted from the map;
 *   Yjs records the deletion in its delete set, which is the tombstone that carries a delete
 *   to the other devices and to devices that never saw the row.
 * So for a row id:
 *   - no live version: the row does not exist (never created, or deleted);
 *   - one live version (or several byte-identical ones): that is the row;
 *   - two or more different versions: saves that did not see each other, a conflict kept
 *     whole until someone resolves it (resolution replaces every version it was shown).
 * A delete removes only the version it saw, so an edit made concurrently elsewhere survives:
 * an edit against a concurrent delete keeps the edit.
 *
 * Growth: a device overwrites its own slot, so Yjs chains the items of one key and merges the
 * deleted ones; repeated saves of a row leave a few bytes, not a copy (tests measure it).
 * A flat map rather than a Y.Map per row: two devices creating the same row's nested map
 * offline would conflict on the outer key, and the losing map would take its versions with it.
 * Two tabs of one device share the slot: their concurrent saves are last-writer-wins, as their
 * shared IndexedDB store already is.
 */
import * as Y from 'yjs';
import { toBase64Url } from '$lib/crypto/bytes';
import type { SealedRow } from '$lib/vault/types';
import { decodeVersion, encodeVersion, sameVersion } from './version-value';

export type SyncedTable = 'records' | 'scans';
export const SYNCED_TABLES: readonly SyncedTable[] = ['records', 'scans'];

/**
 * The document map of each table. Scans are kept by reference (scan-ref.ts) in their own map;
 * 'scans' is the map that held whole sealed scans before, read only to move them out
 * (doc-mirror.ts, legacy scans).
 */
export const DOC_MAPS: Record<SyncedTable, string> = { records: 'records', scans: 'scan-refs' };
export const LEGACY_SCANS_MAP = 'scans';

export interface StoredVersion {
	key: string;
	row: SealedRow;
}

export type VersionFilter = (row: SealedRow) => boolean;

const SLOT_SEPARATOR = '@';

export function versionKey(id: string, slot: string): string {
	return `${id}${SLOT_SEPARATOR}${slot}`;
}

/** The row id a map key belongs to; ids may contain '@', slots never do. */
export function rowIdOfKey(key: string): string | undefined {
	const at = key.lastIndexOf(SLOT_SEPARATOR);
	return at > 0 ? key.slice(0, at) : undefined;
}

export function newSlotName(): string {
	return toBase64Url(crypto.getRandomValues(new Uint8Array(6)));
}

/**
 * Newest save first. Rows show only the day of their save in clear, so versions of one day are
 * ordered by key: arbitrary, but the same on every device.
 */
function newestFirst(a: StoredVersion, b: StoredVersion): number {
	return b.row.at - a.row.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export class VersionedRows {
	readonly table: SyncedTable;
	readonly map: Y.Map<Uint8Array>;
	#slot: string;
	#wellFormed: VersionFilter;
	#keysById = new Map<string, Set<string>>();

	/** `wellFormed`: versions failing it are ignored as unreadable (a peer's malformed value). */
	constructor(options: {
		doc: Y.Doc;
		table: SyncedTable;
		slot: string;
		wellFormed?: VersionFilter;
	}) {
		if (options.slot.includes(SLOT_SEPARATOR)) throw new Error('A slot name cannot contain @');
		this.table = options.table;
		this.map = options.doc.getMap<Uint8Array>(DOC_MAPS[options.table]);
		this.#slot = options.slot;
		this.#wellFormed = options.wellFormed ?? (() => true);
		for (const key of this.map.keys()) this.#reindex(key);
		this.map.observe((event) => {
			for (const key of event.keysChanged) this.#reindex(key);
		});
	}

	/** Every row id with at least one live version. */
	ids(): string[] {
		return [...this.#keysById.keys()];
	}

	/** Live versions of a row, newest first, each under its own key. */
	versions(id: string): StoredVersion[] {
		const keys = this.#keysById.get(id);
		if (!keys) return [];
		const versions: StoredVersion[] = [];
		for (const key of keys) {
			const row = decodeVersion(id, this.map.get(key));
			if (row && this.#wellFormed(row)) versions.push({ key, row });
		}
		return versions.sort(newestFirst);
	}

	/** Live versions with byte-identical copies folded into one, newest first. */
	distinctVersions(id: string): SealedRow[] {
		const distinct: SealedRow[] = [];
		for (const { row } of this.versions(id)) {
			if (!distinct.some((known) => sameVersion(known, row))) distinct.push(row);
		}
		return distinct;
	}

	/**
	 * Writes a save: deletes the versions it replaces and adds the row unless an identical
	 * copy is already live. Call inside doc.transact so the whole save is one update.
	 */
	save(row: SealedRow, replaces: VersionFilter): void {
		const existing = this.versions(row.id);
		const alreadyLive = existing.find((version) => sameVersion(version.row, row));
		let target = alreadyLive?.key ?? versionKey(row.id, this.#slot);
		const ownVersion = existing.find((version) => version.key === target);
		if (!alreadyLive && ownVersion && !replaces(ownVersion.row)) {
			// This device's slot holds a version the save did not see: keep it, write beside it.
			target = versionKey(row.id, `${this.#slot}.${newSlotName()}`);
		}
		for (const version of existing) {
			if (version.key !== target && replaces(version.row)) this.#delete(version.key);
		}
		if (!alreadyLive) {
			this.map.set(target, encodeVersion(row));
			this.#reindex(target);
		}
	}

	/** Deletes the versions a delete saw; call inside doc.transact. */
	remove(id: string, replaces: VersionFilter): void {
		for (const version of this.versions(id)) {
			if (replaces(version.row)) this.#delete(version.key);
		}
	}

	#delete(key: string): void {
		this.map.delete(key);
		this.#reindex(key);
	}

	/** Keeps the id index in step with the map; observers run late, saves need it at once. */
	#reindex(key: string): void {
		const id = rowIdOfKey(key);
		if (id === undefined) return;
		let keys = this.#keysById.get(id);
		if (this.map.has(key)) {
			if (!keys) this.#keysById.set(id, (keys = new Set()));
			keys.add(key);
		} else if (keys) {
			keys.delete(key);
			if (keys.size === 0) this.#keysById.delete(id);
		}
	}
}
