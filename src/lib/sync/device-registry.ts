/**
 * The vault's list of devices: one sealed record per device, `device:<id>`, synced like any
 * other record. It holds what other devices need to know about it: its name, its X25519 public
 * key (to send it a new vault key when another device is removed), when it was added and when it
 * was last unlocked.
 *
 * Each device writes only its own record, so two devices never edit the same one and the
 * registry never produces conflicts. A record whose id is not the hash of its public key is
 * ignored (device-keys.ts): nobody can list a key under another device's id.
 */
import { fromBase64, toBase64 } from '$lib/crypto/bytes';
import type { ListedRecord, RecordListing } from '$lib/vault/types';
import { deviceIdOf, type DeviceKeyPair } from './device-keys';

export const DEVICE_PREFIX = 'device:';
export const MAX_DEVICE_NAME = 60;
/** lastSeen is refreshed no more often than this, to keep the sync document small. */
export const LAST_SEEN_EVERY_MS = 15 * 60 * 1000;

export interface DeviceRecord {
	id: string;
	name: string;
	/** X25519 public key, base64. */
	publicKey: string;
	added: number;
	lastSeen: number;
}

export interface RegistryVault {
	get<T>(key: string): Promise<T | undefined>;
	put<T>(key: string, value: T): Promise<void>;
	list<T>(prefix: string): Promise<RecordListing<T>>;
}

export function deviceRecordKey(id: string): string {
	return `${DEVICE_PREFIX}${id}`;
}

export function publicKeyOfRecord(record: DeviceRecord): Uint8Array {
	return fromBase64(record.publicKey);
}

function isValidRecord(key: string, value: unknown): value is DeviceRecord {
	const record = value as DeviceRecord;
	if (!record || typeof record !== 'object') return false;
	if (typeof record.id !== 'string' || key !== deviceRecordKey(record.id)) return false;
	if (typeof record.name !== 'string' || typeof record.publicKey !== 'string') return false;
	if (typeof record.added !== 'number' || typeof record.lastSeen !== 'number') return false;
	try {
		return deviceIdOf(fromBase64(record.publicKey)) === record.id;
	} catch {
		return false;
	}
}

/** Every valid device record, oldest first. */
export async function listDevices(vault: RegistryVault): Promise<DeviceRecord[]> {
	return devicesIn((await vault.list<unknown>(DEVICE_PREFIX)).records);
}

/** The valid device records among opened records, oldest first. */
export function devicesIn(records: ListedRecord<unknown>[]): DeviceRecord[] {
	return records
		.filter(({ key, value }) => isValidRecord(key, value))
		.map(({ value }) => value as DeviceRecord)
		.sort((a, b) => a.added - b.added || (a.id < b.id ? -1 : 1));
}

export function cleanDeviceName(name: string): string {
	return name.replace(/\s+/g, ' ').trim().slice(0, MAX_DEVICE_NAME);
}

/** Writes this device's record when missing or stale; keeps its name and date added. */
export async function announceDevice(options: {
	vault: RegistryVault;
	identity: Pick<DeviceKeyPair, 'deviceId' | 'publicKey'>;
	defaultName: string;
	now?: number;
}): Promise<DeviceRecord> {
	const { vault, identity } = options;
	const now = options.now ?? Date.now();
	const key = deviceRecordKey(identity.deviceId);
	const existing = await vault.get<unknown>(key);
	if (isValidRecord(key, existing) && now - existing.lastSeen < LAST_SEEN_EVERY_MS) return existing;
	const record: DeviceRecord = {
		id: identity.deviceId,
		name: isValidRecord(key, existing)
			? existing.name
			: cleanDeviceName(options.defaultName) || 'Device',
		publicKey: toBase64(identity.publicKey),
		added: isValidRecord(key, existing) ? existing.added : now,
		lastSeen: now
	};
	await vault.put(key, record);
	return record;
}

export async function renameDevice(options: {
	vault: RegistryVault;
	identity: Pick<DeviceKeyPair, 'deviceId' | 'publicKey'>;
	name: string;
}): Promise<void> {
	const name = cleanDeviceName(options.name);
	if (!name) throw new Error('A device needs a name');
	const key = deviceRecordKey(options.identity.deviceId);
	const existing = await options.vault.get<unknown>(key);
	const now = Date.now();
	await options.vault.put(key, {
		id: options.identity.deviceId,
		name,
		publicKey: toBase64(options.identity.publicKey),
		added: isValidRecord(key, existing) ? existing.added : now,
		lastSeen: now
	} satisfies DeviceRecord);
}

/** A plain name for this device from its browser: "Android", "iPhone", "Mac"… */
export function platformName(userAgent: string): string {
	const rules: [RegExp, string][] = [
		[/Android/i, 'Android'],
		[/iPhone/i, 'iPhone'],
		[/iPad/i, 'iPad'],
		[/Macintosh|Mac OS X/i, 'Mac'],
		[/Windows/i, 'Windows'],
		[/CrOS/i, 'Chromebook'],
		[/Linux/i, 'Linux']
	];
	return rules.find(([pattern]) => pattern.test(userAgent))?.[1] ?? '';
}
