/**
 * What this device keeps for sync and never shares: its identity (id, X25519 key pair) and small
 * bookkeeping such as which vault header version it last agreed on. A database of its own
 * ('papiers-device'), apart from the vault's and the sync document's, so nothing here is ever
 * mirrored to other devices.
 *
 * The private key is stored sealed under the vault key (the vault's own record sealing), so it
 * is as safe as the papers: a locked or stolen device does not give it up without the password.
 * When the vault key changes (a device was removed), it is sealed again under the new key. If it
 * no longer opens (the vault was erased and created again), the device takes a new identity.
 *
 * The private keys this store hands out are wiped when it closes: sync closes it when it stops
 * (at lock), after its last use of the identity.
 */
import Dexie, { type EntityTable } from 'dexie';
import { fromBase64, toBase64, wipe } from '$lib/crypto/bytes';
import type { SealedRow } from '$lib/vault/types';
import { releaseOnLeave } from '$lib/vault/page-leave';
import { deviceIdOf, newDeviceKeyPair, publicKeyOf, type DeviceKeyPair } from './device-keys';

export const DEVICE_DB_NAME = 'papiers-device';
const PRIVATE_KEY_RECORD = 'sync:device-private-key';

/** The vault's record sealing (UnlockedVault has it). */
export interface RecordSealer {
	sealRecord<T>(key: string, value: T): SealedRow;
	openRecord<T>(row: SealedRow): { key: string; value: T };
}

interface IdentityRow {
	id: 'identity';
	deviceId: string;
	publicKey: Uint8Array;
	sealedPrivateKey: SealedRow;
}

interface StateRow {
	id: string;
	value: unknown;
}

type DeviceDb = Dexie & {
	identity: EntityTable<IdentityRow, 'id'>;
	state: EntityTable<StateRow, 'id'>;
};

export class DeviceStore {
	#db: DeviceDb;
	/** Private keys handed out by identity(), wiped by close(). */
	#handedOut = new Set<Uint8Array>();

	constructor(name = DEVICE_DB_NAME) {
		this.#db = new Dexie(name) as DeviceDb;
		this.#db.version(1).stores({ identity: 'id', state: 'id' });
		releaseOnLeave(this.#db);
	}

	/** This device's identity, made on first use for this vault. */
	async identity(vault: RecordSealer): Promise<DeviceKeyPair> {
		const stored = await this.#db.identity.get('identity');
		const opened = stored && openPrivateKey(vault, stored);
		if (opened) {
			this.#handedOut.add(opened.privateKey);
			return opened;
		}
		const created = newDeviceKeyPair();
		this.#handedOut.add(created.privateKey);
		await this.#db.identity.put(identityRow(vault, created));
		return created;
	}

	/** Seals the identity under a new vault key; the id and keys stay the same. */
	async resealIdentity(identity: DeviceKeyPair, vault: RecordSealer): Promise<void> {
		await this.#db.identity.put(identityRow(vault, identity));
	}

	async readState<T>(id: string): Promise<T | undefined> {
		return (await this.#db.state.get(id))?.value as T | undefined;
	}

	async writeState(id: string, value: unknown): Promise<void> {
		await this.#db.state.put({ id, value });
	}

	/** Closes the database and wipes every private key identity() returned. */
	close(): void {
		this.#db.close();
		wipe(...this.#handedOut);
		this.#handedOut.clear();
	}
}

function identityRow(vault: RecordSealer, identity: DeviceKeyPair): IdentityRow {
	return {
		id: 'identity',
		deviceId: identity.deviceId,
		publicKey: identity.publicKey,
		sealedPrivateKey: vault.sealRecord(PRIVATE_KEY_RECORD, toBase64(identity.privateKey))
	};
}

function openPrivateKey(vault: RecordSealer, row: IdentityRow): DeviceKeyPair | undefined {
	try {
		const { key, value } = vault.openRecord<string>(row.sealedPrivateKey);
		if (key !== PRIVATE_KEY_RECORD) return undefined;
		const privateKey = fromBase64(value);
		const publicKey = publicKeyOf(privateKey);
		if (deviceIdOf(publicKey) !== row.deviceId) {
			wipe(privateKey);
			return undefined;
		}
		return { deviceId: row.deviceId, publicKey, privateKey };
	} catch {
		return undefined;
	}
}
