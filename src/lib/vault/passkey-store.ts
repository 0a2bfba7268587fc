/**
 * Where this device keeps its passkey wrap (passkey.ts): a database of its own,
 * 'papiers-passkey', apart from the vault's, so it is never synced, never part of what the vault
 * database holds (a backup of the vault, a sync of its rows) and has no schema to share with it.
 * One row: the credential id, the PRF salt, the key generation it was made for and the wrapped
 * vault key. Plain IndexedDB: the unlock screen reads it before Dexie loads, like probe.ts.
 */
export const PASSKEY_DB_NAME = 'papiers-passkey';
const STORE = 'passkey';
const ROW_ID = 'this-device';

export interface PasskeyRow {
	id: typeof ROW_ID;
	v: 1;
	credentialId: Uint8Array;
	/** What the PRF was evaluated with; random, in clear (useless without the authenticator). */
	prfSalt: Uint8Array;
	/** The header's keyGeneration when wrapped; also bound in the wrap's associated data. */
	keyGeneration: number;
	wrappedKey: Uint8Array;
}

export type NewPasskeyRow = Omit<PasskeyRow, 'id' | 'v'>;

function openStore(name: string, create: boolean): Promise<IDBDatabase | undefined> {
	return new Promise((resolve, reject) => {
		const request = indexedDB.open(name, 1);
		request.onupgradeneeded = (event) => {
			// Reading must not create the database: no passkey, nothing made.
			if (!create && event.oldVersion === 0) {
				request.transaction?.abort();
				return;
			}
			request.result.createObjectStore(STORE, { keyPath: 'id' });
		};
		request.onerror = (event) => {
			if (!create && request.error?.name === 'AbortError') {
				event.preventDefault();
				resolve(undefined);
			} else reject(request.error);
		};
		request.onsuccess = () => resolve(request.result);
	});
}

function run<T>(
	db: IDBDatabase,
	mode: IDBTransactionMode,
	action: (store: IDBObjectStore) => IDBRequest
): Promise<T> {
	return new Promise((resolve, reject) => {
		const transaction = db.transaction(STORE, mode);
		const request = action(transaction.objectStore(STORE));
		transaction.oncomplete = () => {
			db.close();
			resolve(request.result as T);
		};
		transaction.onerror = transaction.onabort = () => {
			db.close();
			reject(transaction.error ?? request.error);
		};
	});
}

function isRow(value: unknown): value is PasskeyRow {
	const row = value as PasskeyRow | undefined;
	return (
		row?.v === 1 &&
		row.credentialId instanceof Uint8Array &&
		row.prfSalt instanceof Uint8Array &&
		row.wrappedKey instanceof Uint8Array &&
		Number.isSafeInteger(row.keyGeneration)
	);
}

/** This device's passkey wrap, or undefined (none, or a row this version cannot read). */
export async function readPasskeyRow(name = PASSKEY_DB_NAME): Promise<PasskeyRow | undefined> {
	const db = await openStore(name, false);
	if (!db) return undefined;
	const value = await run<unknown>(db, 'readonly', (store) => store.get(ROW_ID));
	return isRow(value) ? value : undefined;
}

export async function writePasskeyRow(row: NewPasskeyRow, name = PASSKEY_DB_NAME): Promise<void> {
	const db = (await openStore(name, true))!;
	const stored: PasskeyRow = { id: ROW_ID, v: 1, ...row };
	await run(db, 'readwrite', (store) => store.put(stored));
}

export async function deletePasskeyRow(name = PASSKEY_DB_NAME): Promise<void> {
	const db = await openStore(name, false);
	if (db) await run(db, 'readwrite', (store) => store.delete(ROW_ID));
}
