/**
 * Everything sync does while the vault is unlocked, in one object the app starts after unlock
 * and stops before lock (src/lib/state/sync.svelte.ts). Loaded on demand: Yjs, y-webrtc and the
 * curve code never weigh on the first screen.
 *
 *   - the vault's rows, mirrored and carried over WebRTC (vault-sync.ts);
 *   - this device's identity (device-store.ts) and registry record (device-registry.ts);
 *   - the vault header, so a password change reaches every device (header-sync.ts);
 *   - which devices are connected now (y-webrtc awareness carries each device's id), when this
 *     device last exchanged changes, and how many of its changes no other device has yet;
 *   - conflicts, opened so the person can choose;
 *   - removing a device (rotate-key.ts, handover.ts): a new vault key for everyone else;
 *   - receiving a new vault key removed another device, or learning this one was removed.
 *
 * Pending changes: a change saved here while no other device is connected waits in the
 * document; it is counted until this device next completes a sync with another device.
 */
import * as Y from 'yjs';
import { liveQuery, type Subscription } from 'dexie';
import { wipe } from '$lib/crypto/bytes';
import type { PapiersDb } from '$lib/vault/db';
import type { SealedRow } from '$lib/vault/types';
import { adoptVaultKey, rotateVaultKey } from '$lib/vault/rotate-key';
import { UnlockedVault, unlockVault, type PasswordKeyDeriver } from '$lib/vault/vault';
import { LOCAL_ORIGIN, STORED_ORIGIN, type SyncConflict } from './doc-mirror';
import { rowIdOfKey, SYNCED_TABLES, type SyncedTable } from './doc-versions';
import type { DeviceKeyPair } from './device-keys';
import {
	announceDevice,
	deviceRecordKey,
	devicesIn,
	LAST_SEEN_EVERY_MS,
	listDevices,
	renameDevice,
	type DeviceRecord
} from './device-registry';
import { DeviceStore } from './device-store';
import {
	buildHandover,
	HANDOVER_PREFIX,
	handoverRecordKey,
	HandoverServer,
	listenForHandover,
	readHandover,
	type HandoverRecord,
	type ReceivedKey
} from './handover';
import { HEADER_ORIGIN, HeaderSync } from './header-sync';
import { RelayClient } from './relay-client';
import type { TransportSettings } from './transport';
import { decodeVersion } from './version-value';
import { startVaultSync, type VaultSync } from './vault-sync';

export { platformName } from './device-registry';

export interface ConflictVersion {
	row: SealedRow;
	/** The opened record (`at`: exact save time, sealed); undefined for a scan or a version that does not open. */
	record?: { key: string; value: unknown; at?: number };
}

export interface ConflictView {
	table: SyncedTable;
	id: string;
	versions: ConflictVersion[];
}

export interface DeviceSyncSnapshot {
	deviceId: string;
	generation: number;
	/** Devices connected over WebRTC right now. */
	peers: number;
	connectedDeviceIds: string[];
	lastSync: number | undefined;
	pending: number;
	devices: DeviceRecord[];
	conflicts: ConflictView[];
	/** Another device removed this one from the vault: it will receive nothing new. */
	removed: boolean;
}

export class ConflictsPendingError extends Error {
	constructor() {
		super('Resolve the sync conflicts before removing a device');
		this.name = 'ConflictsPendingError';
	}
}

export interface DeviceSync {
	readonly snapshot: DeviceSyncSnapshot;
	/** True once halted: connections closed, nothing more will change. */
	readonly halted: boolean;
	rename(name: string): Promise<void>;
	resolveConflict(options: {
		table: SyncedTable;
		id: string;
		chosen: SealedRow | null;
	}): Promise<void>;
	/**
	 * Removes a device and moves this one to a new vault key. Sync is stopped when it resolves:
	 * the caller locks and unlocks again with the same password to open the new key.
	 */
	removeDevice(options: { deviceId: string; password: string }): Promise<void>;
	/** Stops timers and connections at once (before the vault's keys are wiped). */
	halt(): void;
	/** halt(), then waits for pending writes and closes the databases. */
	stop(): Promise<void>;
}

export interface DeviceSyncOptions {
	vault: UnlockedVault;
	settings: TransportSettings;
	deriveKey: PasswordKeyDeriver;
	/** Name given to this device the first time it syncs. */
	defaultName: string;
	onChange: (snapshot: DeviceSyncSnapshot) => void;
	/** This device took a new vault key: lock, so the next unlock opens the new one. */
	onKeyChanged: () => void;
	/** Taking a new key failed after sync had stopped (the vault is unchanged): start again. */
	onStopped?: () => void;
	/** Tests only. */
	deviceDbName?: string;
	syncDbName?: string;
}

interface StoredStatus {
	lastSync?: number;
	pending: number;
	removed?: boolean;
}

const CONFLICT_REFRESH_MS = 150;

export async function startDeviceSync(options: DeviceSyncOptions): Promise<DeviceSync> {
	const { vault } = options;
	const db: PapiersDb = vault.db;
	const store = new DeviceStore(options.deviceDbName);
	let identity: DeviceKeyPair;
	let vaultSync: VaultSync;
	try {
		identity = await store.identity(vault);
		vaultSync = await startVaultSync({
			vault,
			settings: options.settings,
			syncDbName: options.syncDbName
		});
	} catch (error) {
		store.close();
		throw error;
	}
	const engine = new Engine({ ...options, db, store, identity, vaultSync });
	await engine.start();
	return engine;
}

class Engine implements DeviceSync {
	#options: DeviceSyncOptions;
	#vault: UnlockedVault;
	#db: PapiersDb;
	#store: DeviceStore;
	#identity: DeviceKeyPair;
	#sync: VaultSync;
	#header: HeaderSync;
	#relay: RelayClient;
	#server: HandoverServer;
	#statusId: string;
	#snapshot: DeviceSyncSnapshot;
	#generation = 0;
	#halted = false;
	#busy = false;
	#cleanups: (() => void)[] = [];
	#records: Subscription | undefined;
	#conflictTimer: ReturnType<typeof setTimeout> | undefined;
	#statusWrite: Promise<void> = Promise.resolve();
	#unreadHandover: unknown;

	constructor(
		options: DeviceSyncOptions & {
			db: PapiersDb;
			store: DeviceStore;
			identity: DeviceKeyPair;
			vaultSync: VaultSync;
		}
	) {
		this.#options = options;
		this.#vault = options.vault;
		this.#db = options.db;
		this.#store = options.store;
		this.#identity = options.identity;
		this.#sync = options.vaultSync;
		this.#statusId = `status:${this.#sync.transport.roomName}`;
		this.#header = new HeaderSync({
			doc: this.#sync.mirror.doc,
			vault: this.#vault,
			db: this.#db,
			store: this.#store,
			vaultTag: this.#sync.transport.roomName
		});
		this.#relay = new RelayClient({ urls: options.settings.signalingUrls });
		this.#server = new HandoverServer(this.#relay);
		this.#snapshot = {
			deviceId: this.#identity.deviceId,
			generation: 0,
			peers: 0,
			connectedDeviceIds: [],
			lastSync: undefined,
			pending: 0,
			devices: [],
			conflicts: [],
			removed: false
		};
	}

	get snapshot(): DeviceSyncSnapshot {
		return this.#snapshot;
	}

	get halted(): boolean {
		return this.#halted;
	}

	async start(): Promise<void> {
		const header = await this.#db.header.get('main');
		this.#generation = header?.keyGeneration ?? 0;
		const stored = await this.#store.readState<StoredStatus>(this.#statusId);
		this.#update({
			generation: this.#generation,
			lastSync: stored?.lastSync,
			pending: stored?.pending ?? 0,
			removed: stored?.removed ?? false
		});
		this.#header.start();
		this.#watchDocument();
		this.#watchPeers();
		this.#watchRecords();
		this.#watchKeyGeneration();
		const roomSecret = this.#vault.deriveSubkey('sync-room-secret');
		this.#cleanups.push(
			listenForHandover({
				client: this.#relay,
				roomSecret,
				onHandover: (handover) => void this.#receiveHandover(handover)
			})
		);
		wipe(roomSecret);
		await this.#announce();
		const timer = setInterval(() => void this.#announce(), LAST_SEEN_EVERY_MS);
		this.#cleanups.push(() => clearInterval(timer));
		this.#refreshConflicts();
	}

	async rename(name: string): Promise<void> {
		await renameDevice({ vault: this.#vault, identity: this.#identity, name });
	}

	async resolveConflict(options: {
		table: SyncedTable;
		id: string;
		chosen: SealedRow | null;
	}): Promise<void> {
		await this.#sync.mirror.resolveConflict(options);
		this.#refreshConflicts();
	}

	async removeDevice(options: { deviceId: string; password: string }): Promise<void> {
		if (this.#busy || this.#halted) throw new Error('Sync is busy');
		const { deviceId, password } = options;
		const devices = await listDevices(this.#vault);
		if (deviceId === this.#identity.deviceId || !devices.some((d) => d.id === deviceId)) {
			throw new Error('Unknown device');
		}
		if (this.#sync.mirror.listConflicts().length > 0) throw new ConflictsPendingError();
		// Checked before sync stops, so a typo changes nothing (WrongPasswordError).
		(
			await unlockVault({ password, vault: { db: this.#db, deriveKey: this.#options.deriveKey } })
		).lock();
		this.#busy = true;
		const roomSecret = this.#vault.deriveSubkey('sync-room-secret');
		let vaultKey: Uint8Array | undefined;
		try {
			await this.#sync.mirror.settled();
			const stateVector = Y.encodeStateVector(this.#sync.mirror.doc);
			const fromGeneration = this.#generation;
			// Nothing may arrive from the old room while the vault is sealed again.
			await this.#shutDown();
			const result = await rotateVaultKey({
				vault: this.#vault,
				db: this.#db,
				password,
				deriveKey: this.#options.deriveKey,
				omitKeys: [deviceRecordKey(deviceId)],
				addRecords: (rotation) => [
					{
						key: handoverRecordKey(fromGeneration),
						value: buildHandover({
							sender: this.#identity,
							recipients: devices,
							removed: [deviceId],
							roomSecret,
							stateVector,
							vaultKey: rotation.vaultKey,
							header: rotation.header,
							fromGeneration
						})
					}
				]
			});
			vaultKey = result.vaultKey;
			await this.#resealIdentity(vaultKey);
		} catch (error) {
			if (!this.#halted) this.#busy = false;
			throw error;
		} finally {
			wipe(roomSecret);
			if (vaultKey) wipe(vaultKey);
			if (this.#halted) this.#store.close();
		}
	}

	halt(): void {
		if (this.#halted) return;
		this.#halted = true;
		clearTimeout(this.#conflictTimer);
		for (const cleanup of this.#cleanups.splice(0)) cleanup();
		this.#records?.unsubscribe();
		this.#header.stop();
		this.#server.close();
		this.#relay.close();
		this.#sync.transport.stop();
	}

	async stop(): Promise<void> {
		if (this.#busy) return; // a rotation or adoption finishes and closes on its own
		await this.#shutDown();
		this.#store.close();
	}

	async #shutDown(): Promise<void> {
		this.halt();
		await this.#header.settled();
		await this.#statusWrite;
		await this.#sync.stop();
	}

	#update(change: Partial<DeviceSyncSnapshot>): void {
		this.#snapshot = { ...this.#snapshot, ...change };
		this.#options.onChange(this.#snapshot);
	}

	#saveStatus(): void {
		const { lastSync, pending, removed } = this.#snapshot;
		this.#statusWrite = this.#statusWrite
			.then(() => this.#store.writeState(this.#statusId, { lastSync, pending, removed }))
			.catch(() => {});
	}

	async #announce(): Promise<void> {
		if (this.#halted || this.#snapshot.removed) return;
		try {
			await announceDevice({
				vault: this.#vault,
				identity: this.#identity,
				defaultName: this.#options.defaultName
			});
		} catch (error) {
			if (!this.#halted) console.error('Sync: this device could not be listed', error);
		}
	}

	#watchDocument(): void {
		const doc = this.#sync.mirror.doc;
		const onUpdate = (_update: Uint8Array, origin: unknown) => {
			if (origin === STORED_ORIGIN) return;
			const local = origin === LOCAL_ORIGIN || origin === HEADER_ORIGIN;
			if (local && this.#snapshot.peers === 0) {
				this.#update({ pending: this.#snapshot.pending + 1 });
				this.#saveStatus();
			} else if (!local) {
				this.#update({ lastSync: Date.now() });
				this.#saveStatus();
			}
			clearTimeout(this.#conflictTimer);
			this.#conflictTimer = setTimeout(() => this.#refreshConflicts(), CONFLICT_REFRESH_MS);
		};
		doc.on('update', onUpdate);
		this.#cleanups.push(() => doc.off('update', onUpdate));
	}

	#watchPeers(): void {
		const { transport } = this.#sync;
		const awareness = transport.provider.awareness;
		awareness.setLocalStateField('device', this.#identity.deviceId);
		const readAwareness = () => {
			const ids = new Set<string>();
			for (const [clientId, state] of awareness.getStates()) {
				const device = (state as { device?: unknown }).device;
				if (clientId !== awareness.clientID && typeof device === 'string') ids.add(device);
			}
			ids.delete(this.#identity.deviceId);
			return [...ids];
		};
		const onAwareness = () => {
			const connected = this.#snapshot.peers > 0 ? readAwareness() : [];
			this.#update({ connectedDeviceIds: connected });
		};
		awareness.on('change', onAwareness);
		this.#cleanups.push(() => awareness.off('change', onAwareness));
		const unsubscribe = transport.onStatus(({ peers, synced }) => {
			this.#update({ peers, connectedDeviceIds: peers > 0 ? readAwareness() : [] });
			if (peers > 0 && synced) {
				this.#update({ lastSync: Date.now(), pending: 0 });
				this.#saveStatus();
			}
		});
		this.#cleanups.push(unsubscribe);
	}

	#watchRecords(): void {
		// One listing serves the device list and the handovers this device serves.
		this.#records = liveQuery(async () => {
			const listing = await this.#vault.list<unknown>('');
			const devices = devicesIn(listing.records);
			const handovers = listing.records
				.filter(({ key }) => key.startsWith(HANDOVER_PREFIX))
				.map(({ value }) => value as HandoverRecord);
			return { devices, handovers };
		}).subscribe({
			next: ({ devices, handovers }) => {
				if (this.#halted) return;
				this.#update({ devices });
				this.#server.update(handovers);
				// A handover heard before the device list was read is read again now.
				const waiting = this.#unreadHandover;
				this.#unreadHandover = undefined;
				if (waiting) void this.#receiveHandover(waiting);
			},
			error: (error: unknown) => {
				if (!this.#halted) console.error('Sync: device list failed', error);
			}
		});
	}

	/**
	 * Another tab of this device took a new key (or removed a device): this tab's vault key is
	 * retired and anything it sealed now would be unreadable, so it locks too.
	 */
	#watchKeyGeneration(): void {
		const subscription = liveQuery(() => this.#db.header.get('main')).subscribe({
			next: (header) => {
				if (this.#halted || this.#busy || !header) return;
				if (header.keyGeneration !== this.#generation) {
					this.halt();
					this.#options.onKeyChanged();
				}
			},
			error: () => {}
		});
		this.#cleanups.push(() => subscription.unsubscribe());
	}

	#refreshConflicts(): void {
		if (this.#halted) return;
		const conflicts = this.#sync.mirror.listConflicts().map((conflict: SyncConflict) => ({
			table: conflict.table,
			id: conflict.id,
			versions: conflict.versions.map((row) => ({ row, record: this.#open(conflict.table, row) }))
		}));
		this.#update({ conflicts });
	}

	#open(table: SyncedTable, row: SealedRow): ConflictVersion['record'] {
		if (table !== 'records') return undefined;
		try {
			return this.#vault.openRecord(row);
		} catch {
			return undefined;
		}
	}

	async #receiveHandover(handover: unknown): Promise<void> {
		if (this.#halted || this.#busy) return;
		const outcome = readHandover({
			handover,
			recipient: this.#identity,
			generation: this.#generation,
			knownDevices: this.#snapshot.devices
		});
		if (outcome === 'removed') {
			if (!this.#snapshot.removed) {
				this.#update({ removed: true });
				this.#saveStatus();
			}
		} else if (outcome) {
			await this.#adopt(outcome);
		} else if (this.#snapshot.devices.length === 0) {
			this.#unreadHandover = handover;
		}
	}

	/** Another device removed a device: take the new key, keep what the rotation did not see. */
	async #adopt(received: ReceivedKey): Promise<void> {
		this.#busy = true;
		try {
			await this.#sync.mirror.settled();
			const keep = unseenRows(this.#sync.mirror.doc, received.stateVector);
			await this.#shutDown();
			await adoptVaultKey({
				vault: this.#vault,
				db: this.#db,
				vaultKey: received.vaultKey,
				header: received.header,
				deriveKey: this.#options.deriveKey,
				keep
			});
			await this.#resealIdentity(received.vaultKey);
			this.#options.onKeyChanged();
		} catch (error) {
			// adoptVaultKey is one transaction: the vault is as it was, sync can start again.
			console.error('Sync: the new vault key could not be taken', error);
			if (this.#halted) this.#options.onStopped?.();
			else this.#busy = false;
		} finally {
			wipe(received.vaultKey);
			if (this.#halted) this.#store.close();
		}
	}

	async #resealIdentity(vaultKey: Uint8Array): Promise<void> {
		const next = new UnlockedVault(this.#db, vaultKey.slice(), this.#options.deriveKey);
		try {
			await this.#store.resealIdentity(this.#identity, next);
		} finally {
			next.lock();
		}
	}
}

/**
 * Live versions in `doc` that a document with state vector `seen` did not contain: changes
 * this device made (or received) that the rotating device had not seen.
 */
export function unseenRows(
	doc: Y.Doc,
	seen: Uint8Array
): { records: SealedRow[]; scans: SealedRow[] } {
	const clocks = Y.decodeStateVector(seen);
	const out: { records: SealedRow[]; scans: SealedRow[] } = { records: [], scans: [] };
	for (const table of SYNCED_TABLES) {
		const map = doc.getMap<Uint8Array>(table);
		const newest = new Map<string, SealedRow>();
		for (const [key, item] of map._map) {
			if (item.deleted || item.id.clock < (clocks.get(item.id.client) ?? 0)) continue;
			const id = rowIdOfKey(key);
			const row = id === undefined ? undefined : decodeVersion(id, map.get(key));
			if (row && (!newest.has(row.id) || newest.get(row.id)!.at < row.at)) newest.set(row.id, row);
		}
		out[table] = [...newest.values()];
	}
	return out;
}
