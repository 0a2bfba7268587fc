import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import { leaveStorage, PageLeftError, returnToStorage } from '$lib/vault/page-leave';
import type { SealedRow } from '$lib/vault/types';

// Two pages of the wallet: the one being left (its database goes through openDatabase, as the
// app's does) and the next one, another realm: a plain IndexedDB connection to the same database.
const row = (id: string): SealedRow => ({ id, v: 1, ct: new Uint8Array(8), at: 1 });
let opened: PapiersDb[] = [];

function connect(name: string) {
	const db = openDatabase(name);
	opened.push(db);
	return db;
}

afterEach(() => {
	returnToStorage();
	for (const db of opened) db.close();
	opened = [];
});

function idsSeenByTheNextPage(name: string): Promise<IDBValidKey[]> {
	return new Promise((resolve, reject) => {
		const request = indexedDB.open(name);
		request.onerror = () => reject(request.error);
		request.onsuccess = () => {
			const db = request.result;
			const keys = db.transaction('records', 'readonly').objectStore('records').getAllKeys();
			keys.onerror = () => reject(keys.error);
			keys.onsuccess = () => {
				db.close();
				resolve(keys.result);
			};
		};
	});
}

/**
 * A write that goes on for as long as the page is frozen: WebKit keeps the transaction of a page
 * in its back/forward cache open, and this loop keeps one open until something aborts it.
 */
function endlessWrite(db: PapiersDb, started: () => void) {
	return db.transaction('rw', db.records, async () => {
		await db.records.put(row('half-written'));
		started();
		for (;;) await db.records.get('half-written');
	});
}

describe('leaving the page for the back/forward cache', () => {
	it('aborts the write it left open, so the next page reads at once', async () => {
		const name = `papiers-leave-${crypto.randomUUID()}`;
		const leaving = connect(name);
		await leaving.records.put(row('kept'));
		let markStarted!: () => void;
		const started = new Promise<void>((resolve) => (markStarted = resolve));
		const write = endlessWrite(leaving, markStarted);
		await started;

		leaveStorage();

		// Without the abort the write never ends and this read waits behind it for ever.
		await expect(write).rejects.toThrow();
		expect(await idsSeenByTheNextPage(name)).toEqual(['kept']);
	}, 20_000);

	it('refuses new transactions until the page is shown again, then opens the database again', async () => {
		const name = `papiers-leave-${crypto.randomUUID()}`;
		const leaving = connect(name);
		await leaving.records.put(row('kept'));

		leaveStorage();
		expect(leaving.isOpen()).toBe(false);
		await expect(leaving.records.get('kept')).rejects.toThrow(PageLeftError);
		await expect(leaving.records.put(row('late'))).rejects.toThrow(PageLeftError);

		returnToStorage();
		expect((await leaving.records.get('kept'))?.id).toBe('kept');
		expect(await leaving.records.get('late')).toBeUndefined();
	});

	it('leaves a database the app closed itself closed', async () => {
		const closedByApp = connect(`papiers-leave-${crypto.randomUUID()}`);
		await closedByApp.open();
		closedByApp.close();
		leaveStorage();
		returnToStorage();
		await expect(closedByApp.records.get('x')).rejects.toThrow(/closed/i);
	});
});
