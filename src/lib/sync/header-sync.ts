/**
 * A password change on one device reaches the others: the vault header (the vault key wrapped
 * under the password, with its KDF parameters and hint) travels in the sync document, and each
 * device keeps a newer one as its PENDING header. The password is the only authority: a key
 * holder can put any header in the document, so a device makes a pending header its own only
 * when its person types a password that opens it (vault.ts, unlockVault and
 * confirmPendingHeader). Until then the device keeps opening with the password it had. A header
 * whose key derivation costs less than the shipped parameters is never even kept.
 *
 * The header sits in the document's 'meta' map under 'header', sealed like a vault record (the
 * hint is readable in the header, not in the document), with a version counter. Each device
 * remembers the version and the header it last agreed on (device-store.ts), and on every change
 * of either side decides:
 *   - its own header differs from the agreed one: the password was changed here, publish it as
 *     version max(agreed, document) + 1;
 *   - the document holds another header at a version not below the agreed one, and this device's
 *     header is the agreed one: the password was changed elsewhere, keep it as pending here.
 * Two devices changing the password at once both publish the same version; Y.Map keeps one of
 * them on every device (its rule is deterministic), and the other device then adopts it, so
 * every device ends with the same password, the one Yjs kept, once its person types it. Headers
 * of another key generation
 * are ignored: a new vault key arrives by handover (handover.ts), never by this path.
 */
import { SerialQueue } from './serial-queue';
import { liveQuery, type Subscription } from 'dexie';
import * as Y from 'yjs';
import { toBase64Url } from '$lib/crypto/bytes';
import type { KdfCost } from '$lib/crypto/kdf-params';
import type { PapiersDb, VaultHeaderRow } from '$lib/vault/db';
import {
	headerFromTransfer,
	headerToTransfer,
	type TransferredHeader
} from '$lib/vault/import-header';
import type { DeviceStore, RecordSealer } from './device-store';
import { decodeVersion, encodeVersion } from './version-value';

export const META_MAP = 'meta';
const HEADER_ENTRY = 'header';
const HEADER_RECORD = 'sync:vault-header';
/** Origin of this module's document writes. */
export const HEADER_ORIGIN = Symbol('papiers-sync-header');

interface HeaderEntry {
	version: number;
	header: TransferredHeader;
}

interface Agreement {
	version: number;
	fingerprint: string;
}

export interface HeaderVault extends RecordSealer {
	recordId(key: string): string;
}

/** Names one wrapping of the vault key: its random nonce makes every wrap different. */
function fingerprint(header: Pick<VaultHeaderRow, 'wrappedKey'>): string {
	return toBase64Url(header.wrappedKey);
}

export class HeaderSync {
	#doc: Y.Doc;
	#floor: KdfCost | undefined;
	#vault: HeaderVault;
	#db: PapiersDb;
	#store: DeviceStore;
	#stateId: string;
	#work = new SerialQueue((error) => console.error('Sync: header not reconciled', error));
	#subscription: Subscription | undefined;
	#stopped = false;
	#observer = () => this.#schedule();

	constructor(options: {
		doc: Y.Doc;
		vault: HeaderVault;
		db: PapiersDb;
		store: DeviceStore;
		/** Different for each sync room, so a new key generation starts afresh. */
		vaultTag: string;
		/** Tests only: the least a received header may cost (default: the shipped KDF). */
		kdfFloor?: KdfCost;
	}) {
		this.#doc = options.doc;
		this.#floor = options.kdfFloor;
		this.#vault = options.vault;
		this.#db = options.db;
		this.#store = options.store;
		this.#stateId = `header:${options.vaultTag}`;
	}

	start(): void {
		this.#doc.getMap(META_MAP).observe(this.#observer);
		this.#subscription = liveQuery(() => this.#db.header.get('main')).subscribe({
			next: () => this.#schedule(),
			error: (error: unknown) => console.error('Sync: header watch failed', error)
		});
	}

	/** Resolves when every change seen so far has been handled. */
	async settled(): Promise<void> {
		await this.#work.settled();
	}

	stop(): void {
		this.#stopped = true;
		this.#doc.getMap(META_MAP).unobserve(this.#observer);
		this.#subscription?.unsubscribe();
	}

	#schedule(): void {
		// The queue logs a failure; the next header change tries again.
		void this.#work.run(() => (this.#stopped ? undefined : this.#reconcile())).catch(() => {});
	}

	#readEntry(): HeaderEntry | undefined {
		const value = this.#doc.getMap(META_MAP).get(HEADER_ENTRY);
		const row = decodeVersion(this.#vault.recordId(HEADER_RECORD), value);
		if (!row) return undefined;
		try {
			const { key, value: entry } = this.#vault.openRecord<HeaderEntry>(row);
			if (key !== HEADER_RECORD || !Number.isInteger(entry?.version)) return undefined;
			headerFromTransfer(entry.header, { floor: this.#floor });
			return entry;
		} catch {
			return undefined; // altered, weaker than allowed, or under another key: never kept
		}
	}

	#publish(entry: HeaderEntry): void {
		const row = this.#vault.sealRecord(HEADER_RECORD, entry);
		this.#doc.transact(() => {
			this.#doc.getMap(META_MAP).set(HEADER_ENTRY, encodeVersion(row));
		}, HEADER_ORIGIN);
	}

	async #reconcile(): Promise<void> {
		const local = await this.#db.header.get('main');
		if (!local || this.#stopped) return;
		const entry = this.#readEntry();
		const entryHeader = entry
			? headerFromTransfer(entry.header, { floor: this.#floor })
			: undefined;
		const here = fingerprint(local);
		let agreed = await this.#store.readState<Agreement>(this.#stateId);
		if (this.#stopped) return;
		if (!agreed) agreed = { version: 0, fingerprint: here };

		let next: Agreement = agreed;
		if (here !== agreed.fingerprint) {
			if (entryHeader && fingerprint(entryHeader) === here) {
				next = { version: entry!.version, fingerprint: here };
			} else {
				const version = Math.max(agreed.version, entry?.version ?? 0) + 1;
				this.#publish({ version, header: headerToTransfer(local) });
				next = { version, fingerprint: here };
			}
		} else if (
			entry &&
			entryHeader &&
			entry.version >= agreed.version &&
			fingerprint(entryHeader) !== here &&
			entryHeader.keyGeneration === local.keyGeneration
		) {
			const pending = await this.#db.header.get('pending');
			if (!pending || fingerprint(pending) !== fingerprint(entryHeader)) {
				await this.#db.header.put({ ...entryHeader, id: 'pending' });
			}
		}
		if (next !== agreed || !(await this.#store.readState(this.#stateId))) {
			await this.#store.writeState(this.#stateId, next);
		}
	}
}
