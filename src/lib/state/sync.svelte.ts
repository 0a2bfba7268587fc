/**
 * Sync as the app sees it: started each time the vault is unlocked, stopped when it locks, and
 * its status (devices, connections, last sync, pending changes, conflicts) kept reactive for
 * /devices. The engine (src/lib/sync/device-sync.ts, with Yjs, y-webrtc and the curve code) is
 * imported on demand, at the first unlock: it never weighs on the first load of `/`.
 *
 * Removing devices gives the vault a new key: the session carries on with the vault opened under
 * it (session.replaceVault), no lock needed. A device told of a new key by another one pauses
 * sync and asks for the password (the only authority, README "Security"); once the password
 * opens the new key, it carries on the same way. Only when another tab of this device took a new
 * key does this tab lock, since its vault key is retired.
 */
import { m } from '$lib/paraglide/messages.js';
import { canSync } from '$lib/platform/features';
import type { DeviceSync, DeviceSyncSnapshot } from '$lib/sync/device-sync';
import type { SyncedTable } from '$lib/sync/doc-versions';
import type { SealedRow } from '$lib/vault/types';
import type { UnlockedVault } from '$lib/vault/vault';
import { session } from './session.svelte';

export type SyncPhase = 'off' | 'starting' | 'on' | 'error';

const loadEngine = () => import('$lib/sync/device-sync');
/** The name chosen on /pair, used the first time this device lists itself. */
const DEVICE_NAME_KEY = 'papiers.sync.deviceName';

class SyncState {
	#phase = $state<SyncPhase>('off');
	#error = $state('');
	#snapshot = $state.raw<DeviceSyncSnapshot | undefined>();
	#keyChanged = $state(false);
	#engine: DeviceSync | undefined;
	#vault: UnlockedVault | undefined;
	/** Bumped on every start and stop, so a start that finishes late knows it is stale. */
	#run = 0;
	#chain: Promise<void> = Promise.resolve();

	get phase(): SyncPhase {
		return this.#phase;
	}

	/** Why sync could not start, when phase is 'error'. */
	get error(): string {
		return this.#error;
	}

	get snapshot(): DeviceSyncSnapshot | undefined {
		return this.#snapshot;
	}

	#arriving = $derived(new Set(this.#snapshot?.arrivingScanIds));

	/** The vault names this scan, and it is still on its way from another device. */
	isArriving(scanId: string): boolean {
		return this.#arriving.has(scanId);
	}

	/** This device locked because another device changed the vault's key. */
	get keyChanged(): boolean {
		return this.#keyChanged;
	}

	dismissKeyChanged(): void {
		this.#keyChanged = false;
	}

	start(vault: UnlockedVault): void {
		const run = ++this.#run;
		this.#vault = vault;
		this.#phase = 'starting';
		this.#error = '';
		this.#chain = this.#chain.then(async () => {
			if (run !== this.#run) return;
			try {
				const [
					engineModule,
					{ readSyncSettings, toIceServers },
					{ deriveInWorker },
					{ withRelayTurnServers }
				] = await Promise.all([
					loadEngine(),
					import('$lib/sync/settings'),
					import('$lib/vault/kdf-client'),
					import('$lib/sync/turn-credentials')
				]);
				if (run !== this.#run) return;
				const settings = readSyncSettings();
				// Settings' ICE servers, then the relays' short-lived TURN credentials, if any. A
				// browser without WebRTC never opens a peer connection: no credentials to ask for.
				const iceServers = canSync()
					? await withRelayTurnServers(toIceServers(settings.iceServers), settings.signalingUrls)
					: [];
				if (run !== this.#run) return;
				const engine = await engineModule.startDeviceSync({
					vault,
					settings: {
						signalingUrls: settings.signalingUrls,
						iceServers,
						peerConnections: canSync()
					},
					deriveKey: deriveInWorker,
					defaultName:
						localStorage.getItem(DEVICE_NAME_KEY) ||
						engineModule.platformName(navigator.userAgent) ||
						m.sync_device_default_name(),
					onChange: (snapshot) => {
						if (run === this.#run) this.#snapshot = snapshot;
					},
					onKeyChanged: () => {
						this.#keyChanged = true;
						session.lock();
					},
					onStopped: () => {
						if (run === this.#run) this.restart();
					}
				});
				if (run !== this.#run) {
					await engine.stop();
					return;
				}
				this.#engine = engine;
				this.#snapshot = engine.snapshot;
				this.#phase = 'on';
			} catch (error) {
				if (run !== this.#run) return;
				console.error('Sync did not start', error);
				this.#error = error instanceof Error ? error.message : String(error);
				this.#phase = 'error';
			}
		});
	}

	/**
	 * Synchronous part first: nothing of sync may touch the vault once the lock goes on. Resolves
	 * once the engine has closed its databases.
	 */
	stop(): Promise<void> {
		this.#run++;
		const engine = this.#engine;
		this.#engine = undefined;
		this.#vault = undefined;
		this.#snapshot = undefined;
		this.#phase = 'off';
		engine?.halt();
		this.#chain = this.#chain.then(() => engine?.stop()).catch(() => {});
		return this.#chain;
	}

	/** After the relay settings changed. */
	restart(): void {
		const vault = this.#vault;
		if (!vault || !session.isUnlocked) return;
		this.stop();
		this.start(vault);
	}

	async rename(name: string): Promise<void> {
		await this.#requireEngine().rename(name);
	}

	/** Keeps `chosen` everywhere; `dropScans` are scans only the other versions used. */
	async resolveConflict(options: {
		table: SyncedTable;
		id: string;
		chosen: SealedRow | null;
		dropScans?: string[];
	}): Promise<void> {
		const { dropScans = [], ...resolution } = options;
		await this.#requireEngine().resolveConflict(resolution);
		for (const id of dropScans) await session.vault.deleteScan(id);
	}

	/** Merges rows of a backup of this vault (backup.ts mergeBackup): conflicts show on /devices. */
	async addVersions(
		batch: { table: SyncedTable; row: SealedRow }[]
	): Promise<{ added: number; conflicts: number; same: number }> {
		return this.#requireEngine().addVersions(batch);
	}

	/**
	 * Removes devices: new vault key (under `newPassword` when given), everything sealed again, a
	 * new room. Rejects with WrongPasswordError or ConflictsPendingError and changes nothing then.
	 */
	async removeDevices(options: {
		deviceIds: string[];
		password: string;
		newPassword?: string;
	}): Promise<void> {
		const engine = this.#requireEngine();
		let vault: UnlockedVault;
		try {
			vault = await engine.removeDevices(options);
		} catch (error) {
			// The engine stops sync before sealing again; if that failed, sync starts over.
			if (this.#engine === engine && engine.halted && session.isUnlocked) this.restart();
			throw error;
		}
		session.replaceVault(vault);
	}

	/** Takes the key change another device announced; WrongPasswordError when it does not open. */
	async confirmKeyChange(password: string): Promise<void> {
		const vault = await this.#requireEngine().confirmKeyChange(password);
		session.replaceVault(vault);
	}

	/** Refuses a key change the person does not recognise: sync resumes in the current room. */
	async ignoreKeyChange(): Promise<void> {
		await this.#requireEngine().ignoreKeyChange();
	}

	/** Takes the password changed on another device; WrongPasswordError when it does not open. */
	async confirmPassword(password: string): Promise<void> {
		await this.#requireEngine().confirmPassword(password);
	}

	#requireEngine(): DeviceSync {
		if (!this.#engine) throw new Error('Sync is not running');
		return this.#engine;
	}
}

export const sync = new SyncState();

let wired = false;

/** Called once from the root layout: sync follows the session from then on. */
export function startSyncWhenUnlocked(): void {
	if (wired) return;
	wired = true;
	session.onUnlock((vault) => sync.start(vault));
	session.onLock(() => sync.stop());
}
