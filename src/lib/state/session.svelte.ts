/**
 * The app's session: whether a vault exists on this device, and the unlocked vault while it is
 * open. The vault key lives only inside the UnlockedVault held here; lock() drops it.
 */
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import { deriveInWorker } from '$lib/vault/kdf-client';
import {
	createVault,
	readHeader,
	resetVault,
	unlockVault,
	type UnlockedVault
} from '$lib/vault/vault';
import { startAutoLock } from './auto-lock';
import { deviceSettings } from './settings.svelte';

export type SessionStatus = 'loading' | 'none' | 'locked' | 'unlocked';

class Session {
	#db: PapiersDb | undefined;
	#status = $state<SessionStatus>('loading');
	#hint = $state('');
	#vault = $state.raw<UnlockedVault | undefined>();
	#stopAutoLock: (() => void) | undefined;
	#lockListeners = new Set<() => void>();

	get status(): SessionStatus {
		return this.#status;
	}

	get hint(): string {
		return this.#hint;
	}

	/** The unlocked vault; routes that need it are only reachable while unlocked. */
	get vault(): UnlockedVault {
		if (!this.#vault) throw new Error('The vault is locked');
		return this.#vault;
	}

	get db(): PapiersDb {
		this.#db ??= openDatabase();
		return this.#db;
	}

	/** Reads the header to learn whether a vault exists; safe to call repeatedly. */
	async load(): Promise<void> {
		if (this.#vault) return;
		const header = await readHeader(this.db);
		this.#hint = header?.hint ?? '';
		this.#status = header ? 'locked' : 'none';
	}

	async create(options: { password: string; hint?: string }): Promise<void> {
		const vault = await createVault({ ...options, vault: { db: this.db, deriveKey: deriveInWorker } });
		this.#hint = options.hint?.trim() ?? '';
		this.#opened(vault);
	}

	/** Rejects with WrongPasswordError; nothing changes then. */
	async unlock(password: string): Promise<void> {
		const vault = await unlockVault({ password, vault: { db: this.db, deriveKey: deriveInWorker } });
		this.#opened(vault);
	}

	async changePassword(options: {
		currentPassword: string;
		newPassword: string;
		hint?: string;
	}): Promise<void> {
		await this.vault.changePassword(options);
		if (options.hint !== undefined) this.#hint = options.hint.trim();
	}

	lock(): void {
		this.#stopAutoLock?.();
		this.#stopAutoLock = undefined;
		this.#vault?.lock();
		this.#vault = undefined;
		if (this.#status === 'unlocked') this.#status = 'locked';
		for (const listener of this.#lockListeners) listener();
	}

	onLock(listener: () => void): () => void {
		this.#lockListeners.add(listener);
		return () => this.#lockListeners.delete(listener);
	}

	/** Forgotten password: wipes this device's vault. The UI asks for a typed confirmation first. */
	async reset(): Promise<void> {
		this.lock();
		await resetVault(this.db);
		this.#hint = '';
		this.#status = 'none';
	}

	#opened(vault: UnlockedVault): void {
		this.#vault = vault;
		this.#status = 'unlocked';
		this.#stopAutoLock?.();
		this.#stopAutoLock = startAutoLock({
			minutes: () => deviceSettings.autoLockMinutes,
			onLock: () => this.lock()
		});
	}
}

export const session = new Session();
