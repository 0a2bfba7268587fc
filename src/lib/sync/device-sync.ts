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
 *   - removing devices (rotate-key.ts, handover.ts): a new vault key for everyone else;
 *   - hearing that another device changed the key (sync pauses until this device's person
 *     confirms with the password), or that this one was removed;
 *   - this device's membership grant (device-registry.ts), made while the password is fresh.
 *
 * Pending changes: a change saved here while no other device is connected waits in the
 * document; it is counted until this device next completes a sync with another device.
 */
import * as Y from 'yjs';
import { liveQuery, type Subscription } from 'dexie';
import { toBase64, wipe } from '$lib/crypto/bytes';
import type { KdfCost } from '$lib/crypto/kdf-params';
import type { PapiersDb } from '$lib/vault/db';
import { WrongPasswordError, type SealedRow } from '$lib/vault/types';
import { adoptVaultKey, rotateVaultKey } from '$lib/vault/rotate-key';
import {
	confirmPendingHeader,
	openHeader,
	UnlockedVault,
	type OpenedHeader,
	type PasswordKeyDeriver
} from '$lib/vault/vault';
import { LOCAL_ORIGIN, STORED_ORIGIN, type SyncConflict } from './doc-mirror';
import { DOC_MAPS, rowIdOfKey, SYNCED_TABLES, type SyncedTable } from './doc-versions';
import type { DeviceKeyPair } from './device-keys';
import {
	announceDevice,
	DEVICE_PREFIX,
	deviceRecordKey,
	devicesIn,
	grantDevice,
	isGranted,
	LAST_SEEN_EVERY_MS,
	listDevices,
	renameDevice,
	wellFormedIn,
	type DeviceRecord
} from './device-registry';
import { DeviceStore } from './device-store';
import {
	buildHandover,
	HANDOVER_PREFIX,
	handoverRecordKey,
	HandoverServer,
	listenForHandover,
	openKeyChange,
	readHandover,
	type HandoverRecord,
	type ReceivedKeyChange
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
	/**
	 * Another device changed the vault's key: sync is paused (nothing more goes where the old
	 * key's holders can read it) until the person confirms with the password.
	 */
	keyChange: { senderName: string } | undefined;
	/** The password was changed on another device; this one still opens with the old one. */
	passwordChanged: boolean;
	/** Ids of scans the vault names but this device has not received yet (scan-transfer.ts). */
	arrivingScanIds: string[];
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
	/** Rows of a backup of this vault, merged as versions beside these (DocMirror.addVersions). */
	addVersions(
		batch: { table: SyncedTable; row: SealedRow }[]
	): Promise<{ added: number; conflicts: number; same: number }>;
	/**
	 * Removes devices and moves this one to a new vault key (wrapped under `newPassword` when
	 * given). Sync is stopped when it resolves with the vault open under the new key, for the
	 * session to carry on with.
	 */
	removeDevices(options: {
		deviceIds: string[];
		password: string;
		newPassword?: string;
	}): Promise<UnlockedVault>;
	/**
	 * Takes the key change another device announced, if `password` opens its new header
	 * (WrongPasswordError otherwise, nothing changed). Resolves with the vault open under the
	 * new key; sync is stopped then.
	 */
	confirmKeyChange(password: string): Promise<UnlockedVault>;
	/** Refuses the announced key change (one the person does not recognise); sync starts over. */
	ignoreKeyChange(): Promise<void>;
	/** Makes the password changed elsewhere this device's (WrongPasswordError otherwise). */
	confirmPassword(password: string): Promise<void>;
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
	/** Sync stopped with the vault unchanged (a failed key change, an ignored one): start again. */
	onStopped?: () => void;
	/** Tests only. */
	deviceDbName?: string;
	syncDbName?: string;
	/** Tests only: cheap key derivation for new headers, and the floor for received ones. */
	kdf?: KdfCost;
}

/** This device's grant under one authority (device-registry.ts), kept in the device store. */
interface StoredGrant {
	authority: string;
	grant: string;
}
const GRANT_STATE = 'grant';
/** Handovers this device's person refused, by signature, so they are not asked again. */
const REFUSED_STATE = 'refused-handovers';
const MAX_PENDING_CHANGES = 4;

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
	#authorityPublicKey: Uint8Array = new Uint8Array(0);
	#grant: string | undefined;
	#keyChanges: { change: ReceivedKeyChange; signature: string }[] = [];
	#refused = new Set<string>();
	/** This device just took a key another device made (#takeAuthority). */
	#tookKeyChange = false;

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
			vaultTag: this.#sync.transport.roomName,
			kdfFloor: options.kdf
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
			removed: false,
			keyChange: undefined,
			passwordChanged: false,
			arrivingScanIds: []
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
		// unlockVault gives every vault an authority; a header without one is not this app's.
		if (!header?.authorityPublicKey) throw new Error('The vault header has no authority key');
		this.#authorityPublicKey = header.authorityPublicKey;
		await this.#takeAuthority();
		this.#refused = new Set((await this.#store.readState<string[]>(REFUSED_STATE)) ?? []);
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
		this.#watchArrivingScans();
		this.#watchRecords();
		this.#watchKeyGeneration();
		this.#watchPendingHeader();
		const roomSecret = this.#vault.deriveSubkey('sync-room-secret');
		this.#cleanups.push(
			listenForHandover({
				client: this.#relay,
				roomSecret,
				onHandover: (handover) => void this.#receiveHandover(handover)
			})
		);
		wipe(roomSecret);
		if (this.#tookKeyChange) this.#announceAfterFirstSync();
		else await this.#announce();
		const timer = setInterval(() => void this.#announce(), LAST_SEEN_EVERY_MS);
		this.#cleanups.push(() => clearInterval(timer));
		this.#refreshConflicts();
	}

	async rename(name: string): Promise<void> {
		await renameDevice({ vault: this.#vault, identity: this.#identity, name, grant: this.#grant });
	}

	async resolveConflict(options: {
		table: SyncedTable;
		id: string;
		chosen: SealedRow | null;
	}): Promise<void> {
		await this.#sync.mirror.resolveConflict(options);
		this.#refreshConflicts();
	}

	async addVersions(
		batch: { table: SyncedTable; row: SealedRow }[]
	): Promise<{ added: number; conflicts: number; same: number }> {
		if (this.#halted) throw new Error('Sync is stopped');
		const counts = await this.#sync.mirror.addVersions(batch);
		this.#refreshConflicts();
		return counts;
	}

	async removeDevices(options: {
		deviceIds: string[];
		password: string;
		newPassword?: string;
	}): Promise<UnlockedVault> {
		if (this.#busy || this.#halted) throw new Error('Sync is busy');
		const { password } = options;
		const removed = [...new Set(options.deviceIds)];
		const devices = await listDevices(this.#vault, this.#authorityPublicKey);
		if (
			removed.length === 0 ||
			removed.includes(this.#identity.deviceId) ||
			!removed.every((id) => devices.some((device) => device.id === id))
		) {
			throw new Error('Unknown device');
		}
		if (this.#sync.mirror.listConflicts().length > 0) throw new ConflictsPendingError();
		const main = await this.#db.header.get('main');
		if (!main) throw new Error('No vault on this device');
		// Checked before sync stops, so a typo changes nothing (WrongPasswordError).
		wipeOpened(await openHeader(main, password, this.#options.deriveKey));
		this.#busy = true;
		const roomSecret = this.#vault.deriveSubkey('sync-room-secret');
		let vaultKey: Uint8Array | undefined;
		try {
			await this.#sync.mirror.settled();
			const stateVector = Y.encodeStateVector(this.#sync.mirror.doc);
			const fromGeneration = this.#generation;
			const remaining = devices.filter((device) => !removed.includes(device.id));
			// Every device record is written again: members granted under the new authority, the
			// removed ones and any never granted (planted by a key holder) left behind.
			const listed = wellFormedIn((await this.#vault.list<unknown>(DEVICE_PREFIX)).records);
			let ownGrant: StoredGrant | undefined;
			// Nothing may arrive from the old room while the vault is sealed again.
			await this.#shutDown();
			const result = await rotateVaultKey({
				vault: this.#vault,
				db: this.#db,
				password,
				newPassword: options.newPassword,
				deriveKey: this.#options.deriveKey,
				kdf: this.#options.kdf,
				omitKeys: listed.map((device) => deviceRecordKey(device.id)),
				addRecords: (secrets) => {
					if (!secrets.previousAuthoritySeed || !secrets.header.authorityPublicKey) {
						throw new Error('The vault header has no authority key');
					}
					const authorityPublicKey = secrets.header.authorityPublicKey;
					const granted = remaining.map((device) => ({
						...device,
						grant: grantDevice({
							authoritySeed: secrets.authoritySeed,
							authorityPublicKey,
							device
						})
					}));
					const own = granted.find((device) => device.id === this.#identity.deviceId);
					if (own) ownGrant = { authority: toBase64(authorityPublicKey), grant: own.grant };
					return [
						{
							key: handoverRecordKey(fromGeneration),
							value: buildHandover({
								sender: this.#identity,
								recipients: remaining,
								removed,
								roomSecret,
								stateVector,
								header: secrets.header,
								fromGeneration,
								authoritySeed: secrets.previousAuthoritySeed
							})
						},
						...granted.map((device) => ({ key: deviceRecordKey(device.id), value: device }))
					];
				}
			});
			vaultKey = result.vaultKey;
			await this.#resealIdentity(vaultKey);
			if (ownGrant) await this.#store.writeState(GRANT_STATE, ownGrant);
			return new UnlockedVault(this.#db, vaultKey.slice(), this.#options.deriveKey);
		} catch (error) {
			if (!this.#halted) this.#busy = false;
			throw error;
		} finally {
			wipe(roomSecret);
			if (vaultKey) wipe(vaultKey);
			if (this.#halted) this.#release();
		}
	}

	async confirmKeyChange(password: string): Promise<UnlockedVault> {
		if (this.#busy || this.#halted || this.#keyChanges.length === 0) {
			throw new Error('No key change is waiting');
		}
		const { change: chosen, opened } = await openKeyChange({
			changes: this.#keyChanges.map(({ change }) => change),
			password,
			deriveKey: this.#options.deriveKey,
			current: await this.#db.header.get('main')
		});
		this.#busy = true;
		try {
			await this.#sync.mirror.settled();
			const keep = unseenRows(this.#sync.mirror.doc, chosen.stateVector);
			// Scans are named by reference in the document: keep those whose bytes are here.
			const heldScans = new Set(
				await this.#db.scans
					.where(':id')
					.anyOf(keep.scans.map((row) => row.id))
					.primaryKeys()
			);
			keep.scans = keep.scans.filter((row) => heldScans.has(row.id));
			await this.#shutDown();
			await adoptVaultKey({
				vault: this.#vault,
				db: this.#db,
				vaultKey: opened.vaultKey,
				header: chosen.header,
				deriveKey: this.#options.deriveKey,
				keep
			});
			await this.#resealIdentity(opened.vaultKey);
			// The new engine, started on this vault, grants this device under the new authority.
			return new UnlockedVault(this.#db, opened.vaultKey, this.#options.deriveKey, {
				seed: opened.authoritySeed!
			});
		} catch (error) {
			// adoptVaultKey is one transaction: the vault is as it was, sync can start again.
			wipeOpened(opened);
			if (this.#halted) this.#options.onStopped?.();
			else this.#busy = false;
			throw error;
		} finally {
			if (this.#halted) this.#release();
		}
	}

	async ignoreKeyChange(): Promise<void> {
		if (this.#busy || this.#halted) return;
		for (const { signature } of this.#keyChanges) this.#refused.add(signature);
		await this.#store.writeState(REFUSED_STATE, [...this.#refused].slice(-32));
		await this.#shutDown();
		this.#release();
		this.#options.onStopped?.();
	}

	async confirmPassword(password: string): Promise<void> {
		await confirmPendingHeader({
			db: this.#db,
			password,
			deriveKey: this.#options.deriveKey,
			floor: this.#options.kdf
		});
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
		for (const { change } of this.#keyChanges.splice(0)) change.stateVector.fill(0);
	}

	async stop(): Promise<void> {
		if (this.#busy) return; // a rotation or adoption finishes and closes on its own
		await this.#shutDown();
		this.#release();
	}

	/** The device's private key lives as long as the running engine, never longer. */
	#release(): void {
		this.#store.close();
		this.#identity.privateKey.fill(0);
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
				defaultName: this.#options.defaultName,
				grant: this.#grant
			});
		} catch (error) {
			if (!this.#halted) console.error('Sync: this device could not be listed', error);
		}
	}

	/**
	 * After taking another device's key change this device holds none of its rows until the new
	 * room brings them back, its own registry record included, which the device that made the
	 * change wrote with this device's grant. Writing its own at once would make a second version
	 * of that record, shown as a conflict (and blocking the next removal): it writes once it has
	 * synced with another device, building on that copy (or at the next periodic announce).
	 */
	#announceAfterFirstSync(): void {
		const unsubscribe = this.#sync.transport.onStatus(({ peers, synced }) => {
			if (peers === 0 || !synced) return;
			unsubscribe();
			void this.#sync.mirror.settled().then(() => this.#announce());
		});
		this.#cleanups.push(unsubscribe);
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

	#watchArrivingScans(): void {
		const mirror = this.#sync.mirror;
		const onWanted = () =>
			this.#update({ arrivingScanIds: mirror.wantedScans().map((ref) => ref.id) });
		onWanted();
		this.#cleanups.push(mirror.onWantedChange(onWanted));
	}

	#watchRecords(): void {
		// One listing serves the device list and the handovers this device serves.
		this.#records = liveQuery(async () => {
			const listing = await this.#vault.list<unknown>('');
			const devices = devicesIn(listing.records, this.#authorityPublicKey);
			const handovers = listing.records
				.filter(({ key }) => key.startsWith(HANDOVER_PREFIX))
				.map(({ value }) => value as HandoverRecord);
			const ownRecord = wellFormedIn(listing.records).find(
				(device) => device.id === this.#identity.deviceId
			);
			return { devices, handovers, ownGrant: ownRecord?.grant };
		}).subscribe({
			next: ({ devices, handovers, ownGrant }) => {
				if (this.#halted) return;
				this.#update({ devices });
				// Another key holder may strip this device's grant from its record: put it back.
				if (this.#grant && ownGrant !== undefined && ownGrant !== this.#grant) {
					void this.#announce();
				}
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

	/** A password changed on another device waits here until this device's person types it. */
	#watchPendingHeader(): void {
		const subscription = liveQuery(async () => {
			const [main, pending] = await Promise.all([
				this.#db.header.get('main'),
				this.#db.header.get('pending')
			]);
			return !!main && !!pending && pending.keyGeneration === main.keyGeneration;
		}).subscribe({
			next: (passwordChanged) => {
				if (!this.#halted && passwordChanged !== this.#snapshot.passwordChanged) {
					this.#update({ passwordChanged });
				}
			},
			error: () => {}
		});
		this.#cleanups.push(() => subscription.unsubscribe());
	}

	/**
	 * The authority seed is in memory only when the password was just typed (unlock, pairing, a
	 * confirmed key change): this device grants itself then and keeps the grant, not the seed.
	 * A vault from before grants existed trusts the devices it already listed, once.
	 */
	async #takeAuthority(): Promise<void> {
		const authorityPublicKey = this.#authorityPublicKey;
		const authority = toBase64(authorityPublicKey);
		const device = { id: this.#identity.deviceId, publicKey: toBase64(this.#identity.publicKey) };
		const held = this.#vault.takeAuthority();
		const stored = await this.#store.readState<StoredGrant>(GRANT_STATE);
		// A grant under an older authority: this device moved to a key another device made.
		this.#tookKeyChange = !!held && !!stored && stored.authority !== authority;
		if (!held) {
			if (
				stored?.authority === authority &&
				isGranted({ authorityPublicKey, device, grant: stored.grant })
			) {
				this.#grant = stored.grant;
			}
			return;
		}
		try {
			const grant = (member: Pick<DeviceRecord, 'id' | 'publicKey'>) =>
				grantDevice({ authoritySeed: held.seed, authorityPublicKey, device: member });
			this.#grant = grant(device);
			await this.#store.writeState(GRANT_STATE, { authority, grant: this.#grant });
			if (held.fromFormat1) {
				const listed = wellFormedIn((await this.#vault.list<unknown>(DEVICE_PREFIX)).records);
				for (const member of listed) {
					await this.#vault.put(deviceRecordKey(member.id), { ...member, grant: grant(member) });
				}
			}
		} finally {
			wipe(held.seed);
		}
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
			knownDevices: this.#snapshot.devices,
			authorityPublicKey: this.#authorityPublicKey,
			kdfFloor: this.#options.kdf
		});
		if (outcome === 'removed') {
			if (!this.#snapshot.removed) {
				this.#update({ removed: true });
				this.#saveStatus();
			}
		} else if (outcome) {
			this.#pauseForKeyChange(outcome, (handover as { signature: string }).signature);
		} else if (this.#snapshot.devices.length === 0) {
			this.#unreadHandover = handover;
		}
	}

	/**
	 * A member announced a new key, signed by the vault's authority: this device stops talking in
	 * the old room at once and waits for its person's password (confirmKeyChange). Local saves
	 * go on into the document and are kept under the new key when it is taken.
	 */
	#pauseForKeyChange(change: ReceivedKeyChange, signature: string): void {
		if (this.#refused.has(signature)) return;
		if (this.#keyChanges.some((known) => known.signature === signature)) return;
		if (this.#keyChanges.length >= MAX_PENDING_CHANGES) return;
		this.#keyChanges.push({ change, signature });
		this.#sync.transport.stop();
		const sender = this.#snapshot.devices.find((device) => device.id === change.senderId);
		this.#update({
			keyChange: { senderName: sender?.name ?? '' },
			peers: 0,
			connectedDeviceIds: []
		});
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

function wipeOpened(opened: OpenedHeader): void {
	wipe(opened.vaultKey);
	if (opened.authoritySeed) wipe(opened.authoritySeed);
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
		const map = doc.getMap<Uint8Array>(DOC_MAPS[table]);
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
