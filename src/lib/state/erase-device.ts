/**
 * Erases the wallet from this device ("Forgot password?" and Settings → Erase this vault):
 *   - every IndexedDB database it made: the vault's ('papiers': header, papers, history, inbox),
 *     the sync document's ('papiers-sync'), this device's identity ('papiers-device') and its
 *     passkey wrap ('papiers-passkey'), plus
 *     any other database whose name is 'papiers' or starts with 'papiers-', where the browser can
 *     list them;
 *   - every localStorage key it wrote: the 'papiers.' settings (auto-lock, sync relays and ICE
 *     servers, device name) and the chosen language.
 * Other devices keep their copy: nothing here talks to them.
 *
 * The caller closes its own connections first (the session locks and sync stops): a Dexie
 * connection left open reopens by itself after a delete and would create the database again.
 * A connection in another tab is asked to close by the delete itself (Dexie does so by default).
 */
import { DB_NAME } from '$lib/vault/db-name';
import { DEVICE_DB_NAME } from '$lib/sync/device-store';
import { SYNC_DB_NAME } from '$lib/sync/sync-store';
import { PASSKEY_DB_NAME } from '$lib/vault/passkey-store';

export const WALLET_DATABASES: readonly string[] = [
	DB_NAME,
	SYNC_DB_NAME,
	DEVICE_DB_NAME,
	PASSKEY_DB_NAME
];
const SETTINGS_PREFIX = 'papiers.';
/** Where Paraglide's localStorage strategy keeps the chosen language (runtime.js localStorageKey). */
export const LANGUAGE_KEY = 'PARAGLIDE_LOCALE';

export function isWalletDatabase(name: string): boolean {
	return WALLET_DATABASES.includes(name) || name.startsWith(`${DB_NAME}-`);
}

export function isWalletStorageKey(key: string): boolean {
	return key.startsWith(SETTINGS_PREFIX) || key === LANGUAGE_KEY;
}

export interface Erased {
	databases: string[];
	storageKeys: string[];
}

function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const request = factory.deleteDatabase(name);
		request.onsuccess = () => resolve();
		request.onerror = () => reject(request.error ?? new Error(`Could not delete ${name}`));
		// onblocked: another connection has not closed yet; the delete goes on once it does.
	});
}

async function walletDatabases(factory: IDBFactory): Promise<string[]> {
	const names = new Set(WALLET_DATABASES);
	try {
		for (const { name } of (await factory.databases?.()) ?? []) {
			if (name && isWalletDatabase(name)) names.add(name);
		}
	} catch {
		// Listing is optional: the known names are deleted anyway.
	}
	return [...names];
}

function walletStorageKeys(storage: Storage): string[] {
	const keys: string[] = [];
	for (let i = 0; i < storage.length; i++) {
		const key = storage.key(i);
		if (key !== null && isWalletStorageKey(key)) keys.push(key);
	}
	return keys;
}

export async function eraseDevice(
	options: { indexedDB?: IDBFactory; storage?: Storage | undefined } = {}
): Promise<Erased> {
	const factory = options.indexedDB ?? globalThis.indexedDB;
	const databases = await walletDatabases(factory);
	// Deleting a database that does not exist succeeds, so every known name is simply deleted.
	await Promise.all(databases.map((name) => deleteDatabase(factory, name)));

	let storageKeys: string[] = [];
	try {
		const storage = 'storage' in options ? options.storage : globalThis.localStorage;
		if (storage) {
			storageKeys = walletStorageKeys(storage);
			for (const key of storageKeys) storage.removeItem(key);
		}
	} catch {
		// Storage blocked by the browser: nothing was kept there either.
	}
	return { databases, storageKeys };
}
