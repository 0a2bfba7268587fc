import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import { createVault, readHeader, resetVault, unlockVault } from '$lib/vault/vault';
import { UnreadableRecordError, WrongPasswordError } from '$lib/vault/types';
import { utf8Encode } from '$lib/crypto/bytes';
import { dumpIndexedDb } from '../../helpers/idb-dump';

// Cheap Argon2id parameters keep the suite fast; the shipped ones are measured by `npm run bench`.
const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
let db: PapiersDb;
let dbName: string;

beforeEach(() => {
	dbName = `papiers-test-${crypto.randomUUID()}`;
	db = openDatabase(dbName);
});
afterEach(async () => {
	db.close();
});

async function newVault(password = 'correct horse battery staple') {
	return createVault({ password, hint: 'horse', vault: { db, kdf } });
}

describe('vault lifecycle', () => {
	it('creates, locks and unlocks with the right password only', async () => {
		const vault = await newVault();
		await vault.put('element:email', { email: 'ada@example.org' });
		vault.lock();
		expect(() => vault.recordId('x')).toThrow(/locked/);

		await expect(unlockVault({ password: 'wrong', vault: { db } })).rejects.toBeInstanceOf(
			WrongPasswordError
		);
		const again = await unlockVault({ password: 'correct horse battery staple', vault: { db } });
		expect(await again.get('element:email')).toEqual({ email: 'ada@example.org' });
		expect((await readHeader(db))?.hint).toBe('horse');
	});

	it('refuses to create a second vault over the first', async () => {
		await newVault();
		await expect(newVault('another')).rejects.toThrow(/already exists/);
	});

	it('changes the password without re-encrypting records', async () => {
		const vault = await newVault('old password');
		for (let i = 0; i < 5; i++) await vault.put(`history:${i}`, { n: i });
		const scanId = await vault.putScan(new Uint8Array([0xff, 0xd8, 1, 2, 3]));
		const recordsBefore = await db.records.toArray();
		const scansBefore = await db.scans.toArray();
		const headerBefore = await readHeader(db);

		await expect(
			vault.changePassword({ currentPassword: 'not it', newPassword: 'new password', kdf })
		).rejects.toBeInstanceOf(WrongPasswordError);
		await vault.changePassword({
			currentPassword: 'old password',
			newPassword: 'new password',
			kdf
		});

		expect(await db.records.toArray()).toEqual(recordsBefore);
		expect(await db.scans.toArray()).toEqual(scansBefore);
		expect((await readHeader(db))?.wrappedKey).not.toEqual(headerBefore?.wrappedKey);
		await expect(unlockVault({ password: 'old password', vault: { db } })).rejects.toThrow(
			WrongPasswordError
		);
		const reopened = await unlockVault({ password: 'new password', vault: { db } });
		const { records } = await reopened.list<{ n: number }>('history:');
		expect(records.map((r) => r.value.n).sort()).toEqual([0, 1, 2, 3, 4]);
		expect(await reopened.getScan(scanId)).toEqual(new Uint8Array([0xff, 0xd8, 1, 2, 3]));
	});

	it('resets everything', async () => {
		const vault = await newVault();
		await vault.put('element:email', { email: 'x@y.z' });
		await resetVault(db);
		expect(await readHeader(db)).toBeUndefined();
		expect(await db.records.count()).toBe(0);
	});
});

describe('tampering', () => {
	it('detects every flipped byte of a sealed record, and keeps the rest readable', async () => {
		const vault = await newVault();
		await vault.put('element:phone_number', { phone_number: '33612345678' });
		await vault.put('element:email', { email: 'ada@example.org' });
		const victimId = vault.recordId('element:phone_number');
		const original = (await db.records.get(victimId))!;
		for (let i = 0; i < original.ct.length; i++) {
			const ct = original.ct.slice();
			ct[i] ^= 0x80;
			expect(() => vault.openRecord({ ...original, ct })).toThrow(UnreadableRecordError);
		}
		// The schema version is authenticated too.
		expect(() => vault.openRecord({ ...original, v: original.v + 1 })).toThrow(
			UnreadableRecordError
		);

		const rowsBefore = await db.records.count();
		const ct = original.ct.slice();
		ct[40] ^= 1;
		await db.records.put({ ...original, ct });
		await expect(vault.get('element:phone_number')).rejects.toBeInstanceOf(UnreadableRecordError);
		const listing = await vault.list('element:');
		expect(listing.records.map((r) => r.key)).toEqual(['element:email']);
		expect(listing.unreadable.map((u) => u.id)).toEqual([victimId]);
		expect(await db.records.count()).toBe(rowsBefore); // nothing deleted
	});

	it('rejects a record moved to another id', async () => {
		const vault = await newVault();
		await vault.put('element:email', { email: 'a@b.c' });
		await vault.put('element:phone_number', { phone_number: '1' });
		const email = (await db.records.get(vault.recordId('element:email')))!;
		await db.records.put({ ...email, id: vault.recordId('element:phone_number') });
		await expect(vault.get('element:phone_number')).rejects.toBeInstanceOf(UnreadableRecordError);
		expect(await vault.get('element:email')).toEqual({ email: 'a@b.c' });
	});

	it('rejects a tampered scan and a tampered header', async () => {
		const vault = await newVault('pw');
		const id = await vault.putScan(new Uint8Array(100).fill(9));
		const row = (await db.scans.get(id))!;
		const ct = row.ct.slice();
		ct[50] ^= 1;
		await db.scans.put({ ...row, ct });
		await expect(vault.getScan(id)).rejects.toBeInstanceOf(UnreadableRecordError);

		const header = (await readHeader(db))!;
		// Weakening the stored KDF parameters must not yield a usable key.
		await db.header.put({ ...header, kdf: { ...header.kdf, iterations: 2 } });
		await expect(unlockVault({ password: 'pw', vault: { db } })).rejects.toBeInstanceOf(
			WrongPasswordError
		);
	});
});

describe('storage', () => {
	it('keeps no plaintext in IndexedDB', async () => {
		const marker = 'MARKER-Zyx-Ω-4471';
		const vault = await newVault();
		await vault.put('element:personal_details', { first_name: marker });
		await vault.putScan(utf8Encode(`scan containing ${marker}`));
		const dump = await dumpIndexedDb(dbName);
		expect(dump.length).toBeGreaterThan(100);
		expect(dump).not.toContain('MARKER-Zyx');
		expect(dump).not.toContain('personal_details');
		// Control: the dump would show the marker were it stored in the clear.
		await db.records.put({ id: 'control', v: 1, ct: utf8Encode(marker), at: 0 });
		expect(await dumpIndexedDb(dbName)).toContain('MARKER-Zyx');
	});

	it('saves atomically: a failing save leaves the previous records intact', async () => {
		const vault = await newVault();
		await vault.put('element:address', { city: 'Lyon' });
		const failOnSecond = (primaryKey: unknown) => {
			if (primaryKey === vault.recordId('element:utility_bill')) throw new Error('disk full');
		};
		db.records.hook('creating', failOnSecond);
		await expect(
			vault.saveAtomically({
				put: [
					{ key: 'element:address', value: { city: 'Paris' } },
					{ key: 'element:utility_bill', value: { files: [] } }
				]
			})
		).rejects.toThrow();
		db.records.hook('creating').unsubscribe(failOnSecond);
		expect(await vault.get('element:address')).toEqual({ city: 'Lyon' });
		expect(await vault.get('element:utility_bill')).toBeUndefined();
	});

	it('reports row changes for the sync mirror', async () => {
		const vault = await newVault();
		const seen: string[] = [];
		vault.onChange((change) => seen.push(`${change.table}:${change.kind}`));
		await vault.put('a', 1);
		const scan = await vault.putScan(new Uint8Array([1]));
		await vault.deleteScan(scan);
		await vault.delete('a');
		expect(seen).toEqual(['records:put', 'scans:put', 'scans:delete', 'records:delete']);
	});
});
