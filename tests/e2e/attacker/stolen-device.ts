/**
 * What a device of the vault holds, read out of its browser as modified code on it would: the
 * raw IndexedDB rows (ciphertext only) of the vault ('papiers') and of the device's identity
 * ('papiers-device'). The test then plays that device's modified code in Node (misbehaving.ts)
 * with the project's own modules and real crypto.
 */
import type { Page } from '@playwright/test';
import { fromBase64 } from '$lib/crypto/bytes';
import type { VaultHeaderRow } from '$lib/vault/db';
import type { SealedRow } from '$lib/vault/types';
import { UnlockedVault, deriveOnThisThread, openHeader } from '$lib/vault/vault';
import { deviceIdOf, publicKeyOf, type DeviceKeyPair } from '$lib/sync/device-keys';
import { DEVICE_PREFIX, type DeviceRecord } from '$lib/sync/device-registry';

/** Bytes cross page.evaluate as { bytes: number[] }, so nothing depends on how it serialises. */
type Wire = unknown;

export interface DeviceDump {
	header: VaultHeaderRow;
	records: SealedRow[];
	identity: { deviceId: string; publicKey: Uint8Array; sealedPrivateKey: SealedRow };
}

/** Reads the stored rows of the device's databases, as they are on disk. */
export async function dumpDevice(page: Page): Promise<DeviceDump> {
	const wire = await page.evaluate(async () => {
		const encode = (value: unknown): unknown => {
			if (value instanceof Uint8Array) return { bytes: Array.from(value) };
			if (Array.isArray(value)) return value.map(encode);
			if (value && typeof value === 'object') {
				return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
			}
			return value;
		};
		const readAll = (name: string, stores: string[]) =>
			new Promise<Record<string, unknown[]>>((resolve, reject) => {
				const request = indexedDB.open(name);
				request.onerror = () => reject(request.error);
				request.onsuccess = () => {
					const db = request.result;
					const out: Record<string, unknown[]> = {};
					const transaction = db.transaction(stores);
					for (const store of stores) {
						const all = transaction.objectStore(store).getAll();
						all.onsuccess = () => (out[store] = all.result);
					}
					transaction.oncomplete = () => {
						db.close();
						resolve(out);
					};
					transaction.onerror = () => reject(transaction.error);
				};
			});
		const vault = await readAll('papiers', ['header', 'records']);
		const device = await readAll('papiers-device', ['identity']);
		return encode({
			header: vault.header.find((row) => (row as { id: string }).id === 'main'),
			records: vault.records,
			identity: device.identity[0]
		});
	});
	return decode(wire) as DeviceDump;
}

function decode(value: Wire): unknown {
	if (Array.isArray(value)) return value.map(decode);
	if (value && typeof value === 'object') {
		const bytes = (value as { bytes?: unknown }).bytes;
		if (Array.isArray(bytes) && Object.keys(value).length === 1) return new Uint8Array(bytes);
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
	}
	return value;
}

/** What the device's modified code holds while it is unlocked. */
export interface StolenDevice {
	/** The vault key, in memory on an unlocked device. */
	vault: UnlockedVault;
	/** Only when the device's holder knows the password: the vault authority's seed. */
	authoritySeed?: Uint8Array;
	header: VaultHeaderRow;
	identity: DeviceKeyPair;
	/** The registry as this device reads it (member or not: names and keys). */
	devices: DeviceRecord[];
	/** Every record this device can open, as text, to look for what it should never get. */
	plaintexts: string[];
}

/**
 * Opens the dump as the unlocked device's memory would hold it. The test has to type the
 * password to get the vault key out of the header (in the app it sits in memory while
 * unlocked). The authority seed that comes out with it is dropped at once unless
 * `knowsPassword`: a device keeps it only for the moment its person types the password
 * (authority.ts), so an attacker without the password has the vault key and its device key,
 * never the seed.
 */
export async function openDump(
	dump: DeviceDump,
	password: string,
	knowsPassword = false
): Promise<StolenDevice> {
	const opened = await openHeader(dump.header, password, deriveOnThisThread);
	const authoritySeed = knowsPassword ? opened.authoritySeed : undefined;
	if (!knowsPassword) opened.authoritySeed?.fill(0);
	// The records are opened without the database: UnlockedVault only needs it to read and write.
	const vault = new UnlockedVault(undefined as never, opened.vaultKey, deriveOnThisThread);
	const plaintexts: string[] = [];
	const devices: DeviceRecord[] = [];
	for (const row of dump.records) {
		try {
			const record = vault.openRecord<unknown>(row);
			plaintexts.push(JSON.stringify(record));
			if (record.key.startsWith(DEVICE_PREFIX)) devices.push(record.value as DeviceRecord);
		} catch {
			// Sealed under another key: not for this device.
		}
	}
	const { value } = vault.openRecord<string>(dump.identity.sealedPrivateKey);
	const privateKey = fromBase64(value);
	const publicKey = publicKeyOf(privateKey);
	if (deviceIdOf(publicKey) !== dump.identity.deviceId) {
		throw new Error('The stolen device key does not match its id');
	}
	return {
		vault,
		authoritySeed,
		header: dump.header,
		identity: { deviceId: dump.identity.deviceId, publicKey, privateKey },
		devices,
		plaintexts
	};
}
