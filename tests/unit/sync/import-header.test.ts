/**
 * A header received by pairing: checked before it is stored, stored only in an empty vault
 * database, and then opened by the password exactly as on the device it came from.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/vault/db';
import {
	headerFromTransfer,
	headerToTransfer,
	importReceivedHeader,
	InvalidHeaderError,
	VaultExistsError,
	WeakHeaderError
} from '$lib/vault/import-header';
import { DEFAULT_KDF } from '$lib/crypto/kdf-params';
import { WrongPasswordError } from '$lib/vault/types';
import { createVault, unlockVault } from '$lib/vault/vault';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const password = 'correct horse battery staple';
let counter = 0;

describe('importing a received header', () => {
	it('gives an empty device the vault, opened by the same password', async () => {
		const source = openDatabase(`ih-source-${++counter}`);
		const vault = await createVault({ password, hint: 'horse', vault: { db: source, kdf } });
		await vault.put('element:email', { email: 'ada@example.org' });
		const sent = JSON.parse(JSON.stringify(headerToTransfer((await source.header.get('main'))!)));

		const target = openDatabase(`ih-target-${counter}`);
		await importReceivedHeader({ db: target, header: headerFromTransfer(sent, { floor: kdf }) });
		await expect(unlockVault({ password: 'wrong', vault: { db: target } })).rejects.toBeInstanceOf(
			WrongPasswordError
		);
		const opened = await unlockVault({ password, vault: { db: target } });
		// Same key: a row sealed on one device opens on the other.
		const row = (await source.records.get(vault.recordId('element:email')))!;
		expect(opened.openRecord(row).value).toEqual({ email: 'ada@example.org' });
		const imported = (await target.header.get('main'))!;
		expect(imported.hint).toBe('horse');
		expect(imported.inboxPublicKey).toEqual((await source.header.get('main'))!.inboxPublicKey);
	});

	it('refuses a device that already holds a vault, or any of its rows', async () => {
		const db = openDatabase(`ih-full-${++counter}`);
		await createVault({ password, vault: { db, kdf } });
		const header = (await db.header.get('main'))!;
		await expect(
			importReceivedHeader({ db, header: { ...header, hint: 'other' } })
		).rejects.toBeInstanceOf(VaultExistsError);
		expect((await db.header.get('main'))!.hint).toBe('');

		const leftovers = openDatabase(`ih-leftovers-${counter}`);
		await leftovers.scans.put({ id: 's', v: 1, at: 0, ct: new Uint8Array(40) });
		await expect(importReceivedHeader({ db: leftovers, header })).rejects.toBeInstanceOf(
			VaultExistsError
		);
		expect(await leftovers.header.count()).toBe(0);
	});

	it('rejects headers that are malformed or would hang the device', async () => {
		const db = openDatabase(`ih-check-${++counter}`);
		await createVault({ password, vault: { db, kdf } });
		const good = headerToTransfer((await db.header.get('main'))!);
		expect(() => headerFromTransfer(good, { floor: kdf })).not.toThrow();
		const bad: unknown[] = [
			null,
			'header',
			{ ...good, format: 3 },
			{ ...good, format: 1 },
			{ ...good, authorityPublicKey: undefined },
			{ ...good, authorityPublicKey: 'AAAA' },
			{ ...good, kdf: { ...good.kdf, algorithm: 'pbkdf2' } },
			{ ...good, kdf: { ...good.kdf, memoryKiB: 64 * 1024 * 1024 } },
			{ ...good, kdf: { ...good.kdf, iterations: 10_000 } },
			{ ...good, kdf: { ...good.kdf, parallelism: 0 } },
			{ ...good, kdf: { ...good.kdf, salt: 'AAAA' } },
			{ ...good, kdf: { ...good.kdf, salt: '!!!' } },
			{ ...good, wrappedKey: good.wrappedKey.slice(0, 20) },
			{ ...good, hint: 7 },
			{ ...good, keyGeneration: 0 },
			{ ...good, createdAt: 'yesterday' },
			{ ...good, inboxPublicKey: 'AAAA' }
		];
		for (const header of bad) {
			expect(() => headerFromTransfer(header, { floor: kdf })).toThrow(InvalidHeaderError);
		}
	});

	it('refuses a header cheaper to guess than the shipped key derivation', async () => {
		const db = openDatabase(`ih-weak-${++counter}`);
		await createVault({ password, vault: { db, kdf } });
		const cheap = headerToTransfer((await db.header.get('main'))!);
		// These tests use 1 MiB and 1 pass; the app ships 64 MiB and 3 passes.
		expect(() => headerFromTransfer(cheap)).toThrow(WeakHeaderError);
		const shipped = { ...cheap, kdf: { ...cheap.kdf, ...DEFAULT_KDF } };
		expect(() => headerFromTransfer(shipped)).not.toThrow();
		for (const weaker of [
			{ memoryKiB: DEFAULT_KDF.memoryKiB - 1 },
			{ iterations: DEFAULT_KDF.iterations - 1 },
			{ memoryKiB: 8, iterations: 1 }
		]) {
			expect(() => headerFromTransfer({ ...shipped, kdf: { ...shipped.kdf, ...weaker } })).toThrow(
				WeakHeaderError
			);
		}
	});
});
