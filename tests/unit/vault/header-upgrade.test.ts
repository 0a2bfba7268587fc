/**
 * A vault made before the authority existed (header format 1, from the previous release's
 * vault.ts: tests/fixtures/vault-v1.json) opens with its password and gets an authority at that
 * unlock; a second device of the same vault takes the first one's authority, not a second one.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromBase64 } from '$lib/crypto/bytes';
import { openDatabase, type VaultHeaderRow } from '$lib/vault/db';
import { WrongPasswordError } from '$lib/vault/types';
import { unlockVault } from '$lib/vault/vault';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const fixture = JSON.parse(readFileSync('tests/fixtures/vault-v1.json', 'utf8'), (_key, value) =>
	value && typeof value === 'object' && typeof value.base64 === 'string'
		? fromBase64(value.base64)
		: value
) as { password: string; header: VaultHeaderRow; records: never[] };

async function oldDevice() {
	const db = openDatabase(`upgrade-${crypto.randomUUID()}`);
	await db.header.put(fixture.header);
	await db.records.bulkPut(fixture.records);
	return db;
}

describe('a format-1 header', () => {
	it('is upgraded at its next unlock, and every field is bound from then on', async () => {
		expect(fixture.header.format).toBe(1);
		const db = await oldDevice();
		const vault = await unlockVault({ password: fixture.password, vault: { db, kdf } });
		const header = (await db.header.get('main'))!;
		expect(header.format).toBe(2);
		expect(header.authorityPublicKey).toHaveLength(32);
		expect(vault.takeAuthority()).toMatchObject({ fromFormat1: true });
		expect(await vault.get('element:email')).toMatchObject({ email: 'ada@example.org' });
		await db.header.put({ ...header, hint: 'swapped' });
		await expect(
			unlockVault({ password: fixture.password, vault: { db, kdf } })
		).rejects.toBeInstanceOf(WrongPasswordError);
		db.close();
	});

	it('takes the authority of a device that upgraded first', async () => {
		const first = await oldDevice();
		(await unlockVault({ password: fixture.password, vault: { db: first, kdf } })).lock();
		const upgraded = (await first.header.get('main'))!;
		// The second device still holds format 1; the first one's header reached it as pending.
		const second = await oldDevice();
		await second.header.put({ ...upgraded, id: 'pending' });
		const vault = await unlockVault({
			password: fixture.password,
			vault: { db: second, kdf, kdfFloor: kdf }
		});
		expect((await second.header.get('main'))!.authorityPublicKey).toEqual(
			upgraded.authorityPublicKey
		);
		expect(await second.header.get('pending')).toBeUndefined();
		expect(vault.takeAuthority()?.fromFormat1).toBeFalsy();
		first.close();
		second.close();
	});
});
