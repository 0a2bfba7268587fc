/**
 * The app's session: whether a vault exists on this device, and the unlocked vault while it is
 * open. The vault key lives only inside the UnlockedVault held here; lock() drops it.
 * Dexie and the vault's crypto load on first use, so the first screen stays light.
 */
import type { PapiersDb } from '$lib/vault/db';
import type { UnlockedVault } from '$lib/vault/vault';
import { probeVault } from '$lib/vault/probe';
import { deriveInWorker, terminateKdfWorker } from '$lib/vault/kdf-client';
import { startAutoLock } from './auto-lock';
import { deviceSettings } from './settings.svelte';

export type SessionStatus = 'loading' | 'none' | 'locked' | 'unlocked';

const loadVaultModule = () => import('$lib/vault/vault');

class Session {
	#db: PapiersDb | undefined;
	#status = $state<SessionStatus>('loading');
	#hint = $state('');
	#vault = $state.raw<UnlockedVault | undefined>();
	#stopAutoLock: (() => void) | undefined;
	#lockListeners = new Set<() => void | Promise<unknown>>();
	/** Settles once what the lock listeners started (sync closing its databases) is done. */
	#lockSettled: Promise<unknown> = Promise.resolve();
	#unlockListeners = new Set<(vault: UnlockedVault) => void>();
	#inboxDrained: Promise<void> = Promise.resolve();

	get status(): SessionStatus {
		return this.#status;
	}

	get hint(): string {
		return this.#hint;
	}

	get isUnlocked(): boolean {
		return this.#vault !== undefined;
	}

	/** The unlocked vault; routes that need it are only reachable while unlocked. */
	get vault(): UnlockedVault {
		if (!this.#vault) throw new Error('The vault is locked');
		return this.#vault;
	}

	async db(): Promise<PapiersDb> {
		if (!this.#db) {
			const { openDatabase } = await import('$lib/vault/db');
			this.#db ??= openDatabase();
		}
		return this.#db;
	}

	/** Learns whether a vault exists; safe to call repeatedly. */
	async load(): Promise<void> {
		if (this.#vault) return;
		const probe = await probeVault();
		this.#hint = probe.hint;
		this.#status = probe.exists ? 'locked' : 'none';
	}

	async create(options: { password: string; hint?: string }): Promise<void> {
		const [{ createVault }, db] = await Promise.all([loadVaultModule(), this.db()]);
		const vault = await createVault({ ...options, vault: { db, deriveKey: deriveInWorker } });
		this.#hint = options.hint?.trim() ?? '';
		this.#opened(vault);
	}

	/** Rejects with WrongPasswordError; nothing changes then. */
	async unlock(password: string): Promise<void> {
		const [{ unlockVault }, db] = await Promise.all([loadVaultModule(), this.db()]);
		const vault = await unlockVault({ password, vault: { db, deriveKey: deriveInWorker } });
		this.#opened(vault);
	}

	/**
	 * One touch of this device's passkey (vault/passkey.ts). Rejects with PasskeyError or
	 * PasskeyUnlockError; nothing changes then, and the password still works. The vault it opens
	 * holds no authority: what needs one asks for the password.
	 */
	async unlockWithPasskey(): Promise<void> {
		const [{ unlockWithPasskey }, db] = await Promise.all([
			import('$lib/vault/passkey'),
			this.db()
		]);
		const vault = await unlockWithPasskey({ db, deriveKey: deriveInWorker });
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
		const vault = this.#vault;
		this.#vault = undefined;
		if (this.#status === 'unlocked') this.#status = 'locked';
		// Listeners run while the vault still has its keys (sync unsubscribes, caches drop),
		// then the keys are wiped, and the KDF worker that saw the password ends.
		const stopping = [...this.#lockListeners].map((listener) => listener());
		this.#lockSettled = Promise.allSettled(stopping);
		vault?.lock();
		terminateKdfWorker();
	}

	/**
	 * Carries on under a new vault key without locking: a device removed here, or a key change
	 * from another device confirmed with the password. What holds the old vault drops it as at
	 * lock (lock listeners, while `isUnlocked` stays true), then every unlock listener gets the
	 * new one, and the old keys are wiped.
	 */
	replaceVault(next: UnlockedVault): void {
		const previous = this.#vault;
		if (!previous) {
			next.lock();
			throw new Error('The vault is locked');
		}
		for (const listener of this.#lockListeners) listener();
		this.#vault = next;
		for (const listener of this.#unlockListeners) listener(next);
		previous.lock();
	}

	/** Resolves once what was recorded while locked has moved into the history. */
	inboxDrained(): Promise<void> {
		return this.#inboxDrained;
	}

	/**
	 * Called on every lock, before the vault's keys are wiped. A listener may return a promise of
	 * its asynchronous part (closing databases); reset waits for it before deleting them.
	 */
	onLock(listener: () => void | Promise<unknown>): () => void {
		this.#lockListeners.add(listener);
		return () => this.#lockListeners.delete(listener);
	}

	/** Called each time a vault is opened (created, unlocked, or received by pairing). */
	onUnlock(listener: (vault: UnlockedVault) => void): () => void {
		this.#unlockListeners.add(listener);
		if (this.#vault) listener(this.#vault);
		return () => this.#unlockListeners.delete(listener);
	}

	/**
	 * Forgotten password, or starting over: erases everything the wallet keeps on this device
	 * (erase-device.ts: its databases and its settings). The UI asks for a typed confirmation.
	 */
	async reset(): Promise<void> {
		this.lock();
		// Every connection closes first: an open Dexie connection would create its database again.
		await this.#lockSettled;
		const db = this.#db;
		this.#db = undefined;
		db?.close();
		const { eraseDevice } = await import('./erase-device');
		await eraseDevice();
		this.#hint = '';
		this.#status = 'none';
	}

	#opened(vault: UnlockedVault): void {
		this.#vault = vault;
		this.#status = 'unlocked';
		for (const listener of this.#unlockListeners) listener(vault);
		// What happened while locked (refused consent requests) joins the history now.
		this.#inboxDrained = import('$lib/vault/inbox')
			.then(({ drainInbox }) => drainInbox(vault))
			.then(
				() => undefined,
				() => undefined
			);
		this.#stopAutoLock?.();
		this.#stopAutoLock = startAutoLock({
			minutes: () => deviceSettings.autoLockMinutes,
			onLock: () => this.lock()
		});
	}
}

export const session = new Session();
