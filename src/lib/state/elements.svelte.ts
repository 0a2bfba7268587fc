/**
 * The decrypted elements of the unlocked vault, kept live: a Dexie live query re-reads them when
 * the records table changes (a save here, another tab, sync from another device). Records that
 * do not open are reported apart and never deleted. Everything is dropped on lock, and the object
 * URLs of scan pictures are revoked then too.
 */
import type { ElementType, StoredElement } from '$lib/passport/types';
import type { UnlockedVault } from '$lib/vault/vault';
import {
	changedSince,
	ChangedElsewhereError,
	deleteElement,
	readElementListing,
	saveElement,
	type ElementInput,
	type ProblemRecord
} from './element-records';
import { session } from './session.svelte';

export type ElementsStatus = 'idle' | 'loading' | 'ready' | 'error';

interface ScanUrlEntry {
	users: number;
	url: Promise<string>;
	/** Set once the URL exists, so release() can revoke it synchronously. */
	resolved?: string;
}

/**
 * Object URLs for decrypted scans, counted per user so a picture shown twice (thumbnail and
 * full-size view) is decrypted once and revoked when the last one lets go.
 */
class ScanUrls {
	#entries = new Map<string, ScanUrlEntry>();
	#vault: () => UnlockedVault;

	constructor(vault: () => UnlockedVault) {
		this.#vault = vault;
	}

	acquire(id: string): Promise<string> {
		const existing = this.#entries.get(id);
		if (existing) {
			existing.users++;
			return existing.url;
		}
		const entry: ScanUrlEntry = { users: 1, url: Promise.resolve('') };
		entry.url = (async () => {
			const bytes = await this.#vault().getScan(id);
			if (!bytes) throw new Error(`Scan ${id} is missing`);
			const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'image/jpeg' }));
			// Released (or locked) while decrypting: nobody will show it.
			if (this.#entries.get(id) !== entry) {
				URL.revokeObjectURL(url);
				throw new Error('Scan no longer shown');
			}
			entry.resolved = url;
			return url;
		})();
		entry.url.catch(() => this.#entries.get(id) === entry && this.#entries.delete(id));
		this.#entries.set(id, entry);
		return entry.url;
	}

	release(id: string): void {
		const entry = this.#entries.get(id);
		if (!entry || --entry.users > 0) return;
		this.#entries.delete(id);
		if (entry.resolved) URL.revokeObjectURL(entry.resolved);
	}

	revokeAll(): void {
		for (const entry of this.#entries.values()) {
			if (entry.resolved) URL.revokeObjectURL(entry.resolved);
		}
		this.#entries.clear();
	}

	/** How many scan pictures are decrypted and held as object URLs (tests watch it fall to 0). */
	get size(): number {
		return this.#entries.size;
	}
}

class Elements {
	#status = $state<ElementsStatus>('idle');
	#elements = $state.raw<ReadonlyMap<ElementType, StoredElement>>(new Map());
	#problems = $state.raw<readonly ProblemRecord[]>([]);
	#error = $state<string>('');
	#loadedFor: UnlockedVault | undefined;
	#firstListing: Promise<void> | undefined;
	#stopWatching: (() => void) | undefined;
	/** Ends a first listing still awaited when the vault is dropped, so no caller waits forever. */
	#abandonFirstListing: (() => void) | undefined;

	readonly scanUrls = new ScanUrls(() => session.vault);

	/** The vault was replaced while unlocked (a new key): list the new one as the old was. */
	#reloadOnUnlock = false;

	constructor() {
		session.onLock(() => {
			this.#reloadOnUnlock = session.isUnlocked && this.#loadedFor !== undefined;
			this.#forget();
		});
		session.onUnlock(() => {
			if (!this.#reloadOnUnlock) return;
			this.#reloadOnUnlock = false;
			void this.load();
		});
	}

	get status(): ElementsStatus {
		return this.#status;
	}

	/** Why loading failed, when status is 'error'. */
	get error(): string {
		return this.#error;
	}

	get all(): ReadonlyMap<ElementType, StoredElement> {
		return this.#elements;
	}

	/** Records that could not be opened as elements: shown as a warning, kept in storage. */
	get problems(): readonly ProblemRecord[] {
		return this.#problems;
	}

	get(type: ElementType): StoredElement | undefined {
		return this.#elements.get(type);
	}

	/** Starts watching the unlocked vault (once per unlock); resolves after the first listing. */
	load(): Promise<void> {
		const vault = session.vault;
		// A failed read is tried again on the next call rather than kept until the next unlock.
		if (this.#loadedFor === vault && this.#firstListing && this.#status !== 'error') {
			return this.#firstListing;
		}
		this.#forget();
		this.#loadedFor = vault;
		this.#status = 'loading';
		this.#firstListing = this.#watch(vault);
		return this.#firstListing;
	}

	/** Saves an element in place of `previous` (what the editor showed); see element-records.ts. */
	async save(input: ElementInput, previous: StoredElement | undefined): Promise<StoredElement> {
		const vault = session.vault;
		const current = this.get(input.type);
		if (current && changedSince(current, previous)) throw new ChangedElsewhereError(current);
		const element = await saveElement(vault, input, previous);
		if (this.#loadedFor === vault) this.#put(element);
		return element;
	}

	async remove(element: StoredElement): Promise<void> {
		const vault = session.vault;
		await deleteElement(vault, element);
		if (this.#loadedFor === vault) {
			const next = new Map(this.#elements);
			next.delete(element.type);
			this.#elements = next;
		}
	}

	#put(element: StoredElement): void {
		const next = new Map(this.#elements);
		next.set(element.type, element);
		this.#elements = next;
	}

	async #watch(vault: UnlockedVault): Promise<void> {
		// Dexie is loaded with the vault already; importing it here keeps it off the first page load.
		const { liveQuery } = await import('dexie');
		if (this.#loadedFor !== vault) return;
		await new Promise<void>((resolve) => {
			this.#abandonFirstListing = resolve;
			const subscription = liveQuery(() => vault.list<unknown>('element:')).subscribe({
				next: (listing) => {
					if (this.#loadedFor !== vault) return;
					const { elements, problems } = readElementListing(listing);
					this.#elements = elements;
					this.#problems = problems;
					this.#status = 'ready';
					resolve();
				},
				error: (error: unknown) => {
					if (this.#loadedFor !== vault) return;
					this.#error = error instanceof Error ? error.message : String(error);
					this.#status = 'error';
					resolve();
				}
			});
			this.#stopWatching = () => subscription.unsubscribe();
		});
	}

	#forget(): void {
		this.#stopWatching?.();
		this.#stopWatching = undefined;
		this.#abandonFirstListing?.();
		this.#abandonFirstListing = undefined;
		this.#loadedFor = undefined;
		this.#firstListing = undefined;
		this.#elements = new Map();
		this.#problems = [];
		this.#error = '';
		this.#status = 'idle';
		this.scanUrls.revokeAll();
	}
}

export const elements = new Elements();
