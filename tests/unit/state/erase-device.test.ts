/**
 * Erasing the wallet from a device leaves none of its databases and none of its settings, and
 * nothing else of the origin's. The databases are made by the real modules (vault, sync store,
 * device store), so a new database name in one of them shows up here.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/vault/db';
import { createVault } from '$lib/vault/vault';
import { DeviceStore } from '$lib/sync/device-store';
import { SyncStore } from '$lib/sync/sync-store';
import { writePasskeyRow } from '$lib/vault/passkey-store';
import { eraseDevice, LANGUAGE_KEY } from '$lib/state/erase-device';
import { MemoryStorage } from '../memory-storage';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

async function databaseNames(): Promise<string[]> {
	return (await indexedDB.databases()).map(({ name }) => name!).sort();
}

describe('erasing the wallet from this device', () => {
	it('deletes the vault, sync, device and passkey databases and the wallet settings, nothing else', async () => {
		const vaultDb = openDatabase();
		const vault = await createVault({ password: 'pw', vault: { db: vaultDb, kdf } });
		await vault.put('note', { text: 'a paper' });
		const deviceStore = new DeviceStore();
		await deviceStore.identity(vault);
		const sync = await SyncStore.open({ vaultTag: 'room' });
		sync.store.queueUpdate(new Uint8Array([1, 2, 3]));
		await sync.store.close();
		deviceStore.close();
		const bytes = new Uint8Array(32);
		await writePasskeyRow({
			credentialId: bytes,
			prfSalt: bytes,
			keyGeneration: 1,
			wrappedKey: bytes
		});
		vault.lock();
		vaultDb.close();
		const leftover = new Dexie('papiers-old-experiment');
		leftover.version(1).stores({ rows: 'id' });
		await leftover.open();
		leftover.close();
		const unrelated = new Dexie('another-app');
		unrelated.version(1).stores({ rows: 'id' });
		await unrelated.open();
		unrelated.close();

		const storage = new MemoryStorage();
		storage.setItem('papiers.autoLockMinutes', '10');
		storage.setItem('papiers.sync.signaling', '["wss://relay.example"]');
		storage.setItem('papiers.sync.ice', '[]');
		storage.setItem('papiers.sync.deviceName', 'Pixel');
		storage.setItem(LANGUAGE_KEY, 'fr');
		storage.setItem('someone-else', 'kept');

		expect(await databaseNames()).toEqual([
			'another-app',
			'papiers',
			'papiers-device',
			'papiers-old-experiment',
			'papiers-passkey',
			'papiers-sync'
		]);

		const erased = await eraseDevice({ storage });

		expect(await databaseNames()).toEqual(['another-app']);
		expect(storage.keys()).toEqual(['someone-else']);
		expect(erased.databases.sort()).toEqual([
			'papiers',
			'papiers-device',
			'papiers-old-experiment',
			'papiers-passkey',
			'papiers-sync'
		]);
		expect(erased.storageKeys.sort()).toEqual([
			LANGUAGE_KEY,
			'papiers.autoLockMinutes',
			'papiers.sync.deviceName',
			'papiers.sync.ice',
			'papiers.sync.signaling'
		]);
	});

	it('waits for a connection another tab holds to close, as Dexie does by default', async () => {
		const otherTab = openDatabase();
		await otherTab.open();
		await eraseDevice({ storage: new MemoryStorage() });
		expect(otherTab.isOpen()).toBe(false);
		expect(await databaseNames()).not.toContain('papiers');
	});

	it('erases where the browser cannot list databases or blocks storage', async () => {
		const db = openDatabase();
		await db.open();
		db.close();
		const withoutListing = Object.create(indexedDB, { databases: { value: undefined } });
		await eraseDevice({ indexedDB: withoutListing, storage: undefined });
		expect(await databaseNames()).not.toContain('papiers');
	});
});
