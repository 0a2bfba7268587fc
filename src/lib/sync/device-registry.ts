/**
 * The vault's list of devices: one sealed record per device, `device:<id>`, synced like any
 * other record. It holds what other devices need to know about it: its name, its X25519 public
 * key (to send it a new vault key when another device is removed), when it was added and when it
 * was last unlocked.
 *
 * Each device writes only its own record, so two devices never edit the same one and the
 * registry never produces conflicts. A record counts only when
 *   - its id is the hash of its public key (device-keys.ts): nobody can list a key under
 *     another device's id, and
 *   - it carries a grant: the vault authority's signature over the id and key (authority.ts),
 *     which only someone who typed the password can make. A device grants itself when its
 *     person unlocks it (or pairs it); a device that removes others grants the remaining ones
 *     under the new authority. Holding the vault key alone never makes a member.
 * The name, dates and lastSeen are not signed: they are labels, written without the password.
 */
import { signAsAuthority, verifyAuthority } from '$lib/crypto/authority';
import { fromBase64, toBase64, utf8Encode } from '$lib/crypto/bytes';
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
	/** The authority's signature over id and public key, base64 (grantMessage). */
	grant?: string;
}

const GRANT_PURPOSE = 'device-grant';

function grantMessage(authorityPublicKey: Uint8Array, id: string, publicKey: string): Uint8Array {
	return utf8Encode(JSON.stringify([toBase64(authorityPublicKey), id, publicKey]));
}

/** Makes a device a member: needs the authority seed, so the password typed just now. */
export function grantDevice(options: {
	authoritySeed: Uint8Array;
	authorityPublicKey: Uint8Array;
	device: Pick<DeviceRecord, 'id' | 'publicKey'>;
}): string {
	const { device } = options;
	return toBase64(
		signAsAuthority({
			seed: options.authoritySeed,
			purpose: GRANT_PURPOSE,
			message: grantMessage(options.authorityPublicKey, device.id, device.publicKey)
		})
	);
}

/** True when `grant` is the authority's signature for this device id and key. */
export function isGranted(options: {
	authorityPublicKey: Uint8Array;
	device: Pick<DeviceRecord, 'id' | 'publicKey'>;
	grant: unknown;
}): boolean {
	if (typeof options.grant !== 'string') return false;
	try {
		return verifyAuthority({
			publicKey: options.authorityPublicKey,
			purpose: GRANT_PURPOSE,
			message: grantMessage(
				options.authorityPublicKey,
				options.device.id,
				options.device.publicKey
			),
			signature: fromBase64(options.grant)
		});
	} catch {
		return false;
	}
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

/** Id and key belong together; says nothing of membership (see isMember). */
function isWellFormed(key: string, value: unknown): value is DeviceRecord {
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

function isMember(key: string, value: unknown, authorityPublicKey: Uint8Array): boolean {
	return (
		isWellFormed(key, value) && isGranted({ authorityPublicKey, device: value, grant: value.grant })
	);
}

/** Every member device, oldest first. */
export async function listDevices(
	vault: RegistryVault,
	authorityPublicKey: Uint8Array
): Promise<DeviceRecord[]> {
	return devicesIn((await vault.list<unknown>(DEVICE_PREFIX)).records, authorityPublicKey);
}

/** The member devices among opened records, oldest first. */
export function devicesIn(
	records: ListedRecord<unknown>[],
	authorityPublicKey: Uint8Array
): DeviceRecord[] {
	return wellFormedIn(records).filter((record) =>
		isGranted({ authorityPublicKey, device: record, grant: record.grant })
	);
}

/**
 * Well-formed records whether granted or not: a vault made before grants existed trusts these
 * once, when its person's password gives it an authority (device-sync.ts).
 */
export function wellFormedIn(records: ListedRecord<unknown>[]): DeviceRecord[] {
	return records
		.filter(({ key, value }) => isWellFormed(key, value))
		.map(({ value }) => value as DeviceRecord)
		.sort((a, b) => a.added - b.added || (a.id < b.id ? -1 : 1));
}

export function cleanDeviceName(name: string): string {
	return name.replace(/\s+/g, ' ').trim().slice(0, MAX_DEVICE_NAME);
}

/**
 * Writes this device's record when missing, stale, or without `grant` (the grant this device
 * holds: another key holder may have stripped it from the record); keeps its name and date added.
 */
export async function announceDevice(options: {
	vault: RegistryVault;
	identity: Pick<DeviceKeyPair, 'deviceId' | 'publicKey'>;
	defaultName: string;
	grant?: string;
	now?: number;
}): Promise<DeviceRecord> {
	const { vault, identity } = options;
	const now = options.now ?? Date.now();
	const key = deviceRecordKey(identity.deviceId);
	const existing = await vault.get<unknown>(key);
	const known = isWellFormed(key, existing) ? existing : undefined;
	const grant = options.grant ?? known?.grant;
	if (known && now - known.lastSeen < LAST_SEEN_EVERY_MS && known.grant === grant) return known;
	const record: DeviceRecord = {
		id: identity.deviceId,
		name: known ? known.name : cleanDeviceName(options.defaultName) || 'Device',
		publicKey: toBase64(identity.publicKey),
		added: known ? known.added : now,
		lastSeen: now,
		...(grant ? { grant } : {})
	};
	await vault.put(key, record);
	return record;
}

export async function renameDevice(options: {
	vault: RegistryVault;
	identity: Pick<DeviceKeyPair, 'deviceId' | 'publicKey'>;
	name: string;
	grant?: string;
}): Promise<void> {
	const name = cleanDeviceName(options.name);
	if (!name) throw new Error('A device needs a name');
	const key = deviceRecordKey(options.identity.deviceId);
	const existing = await options.vault.get<unknown>(key);
	const known = isWellFormed(key, existing) ? existing : undefined;
	const now = Date.now();
	const grant = options.grant ?? known?.grant;
	await options.vault.put(key, {
		id: options.identity.deviceId,
		name,
		publicKey: toBase64(options.identity.publicKey),
		added: known ? known.added : now,
		lastSeen: now,
		...(grant ? { grant } : {})
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
