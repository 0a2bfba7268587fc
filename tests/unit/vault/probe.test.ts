/**
 * The light probe of the first screen: it reads whether a vault exists without creating a
 * database where there is none (a first visit, or a visit after the wallet was erased).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/vault/db';
import { createVault } from '$lib/vault/vault';
import { probeVault } from '$lib/vault/probe';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

async function databaseNames(): Promise<string[]> {
	return (await indexedDB.databases()).map(({ name }) => name!);
}

describe('probing for a vault', () => {
	it('finds none and creates no database where there is none', async () => {
		const name = `probe-${crypto.randomUUID()}`;
		expect(await probeVault(name)).toEqual({ exists: false, hint: '' });
		expect(await databaseNames()).not.toContain(name);
		// Dexie still creates the database with the vault afterwards.
		const db = openDatabase(name);
		const vault = await createVault({ password: 'pw', hint: 'the usual', vault: { db, kdf } });
		vault.lock();
		db.close();
		expect(await probeVault(name)).toEqual({ exists: true, hint: 'the usual' });
	});

	it('reads an existing database without a vault in it as no vault', async () => {
		const name = `probe-${crypto.randomUUID()}`;
		const db = openDatabase(name);
		await db.open();
		db.close();
		expect(await probeVault(name)).toEqual({ exists: false, hint: '' });
	});
});
