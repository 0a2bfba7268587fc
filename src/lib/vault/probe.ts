/**
 * Reads the vault header's public part (does a vault exist, its hint) with the bare IndexedDB
 * API, so the first screen can show without loading Dexie and the vault's crypto.
 */
import { DB_NAME } from './db-name';

export interface VaultProbe {
	exists: boolean;
	hint: string;
}

export function probeVault(name = DB_NAME): Promise<VaultProbe> {
	return new Promise((resolve, reject) => {
		const request = indexedDB.open(name);
		// No database yet: the open is aborted, so visiting the wallet (or coming back after an
		// erase) creates nothing; Dexie creates the database with the vault.
		request.onupgradeneeded = (event) => {
			if (event.oldVersion === 0) request.transaction?.abort();
		};
		request.onerror = (event) => {
			if (request.error?.name === 'AbortError') {
				event.preventDefault();
				resolve({ exists: false, hint: '' });
			} else reject(request.error);
		};
		request.onsuccess = () => {
			const db = request.result;
			if (!db.objectStoreNames.contains('header')) {
				db.close();
				resolve({ exists: false, hint: '' });
				return;
			}
			const get = db.transaction('header').objectStore('header').get('main');
			get.onerror = () => {
				db.close();
				reject(get.error);
			};
			get.onsuccess = () => {
				db.close();
				const header = get.result as { hint?: string } | undefined;
				resolve({ exists: Boolean(header), hint: header?.hint ?? '' });
			};
		};
	});
}
