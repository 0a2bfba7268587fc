/**
 * Runs in Chromium for 05-sync.bench.js: the real vault (cheap Argon2id, it is not what is
 * measured) and the real sync mirror on IndexedDB, N saves, then the size of the sync document
 * against the live data it holds.
 */
import * as Y from 'yjs';
import { openDatabase } from '$lib/vault/db';
import { createVault } from '$lib/vault/vault';
import { DocMirror } from '$lib/sync/doc-mirror';
import { rowIdOfKey } from '$lib/sync/doc-versions';

async function measure(options: { edits: number; records: number }) {
	const tag = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
	const db = openDatabase(`bench-growth-${tag}`);
	const vault = await createVault({
		password: 'bench growth',
		vault: { db, kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 } }
	});
	const syncDbName = `bench-growth-sync-${tag}`;
	const mirror = await DocMirror.open({ vaultDb: db, vaultTag: tag, syncDbName });
	vault.onChange((change) => mirror.applyLocalChange(change));
	for (let i = 0; i < options.edits; i++) {
		await vault.put(`element:email-${i % options.records}`, {
			type: 'email',
			email: `someone.${i}@example.org`,
			updatedAt: Date.now()
		});
	}
	await mirror.settled();
	const docBytes = Y.encodeStateAsUpdate(mirror.doc).length;
	const docBytesV2 = Y.encodeStateAsUpdateV2(mirror.doc).length;
	// Live data: what the rows themselves need (id, ciphertext, version u32, time f64).
	let liveBytes = 0;
	const records = mirror.doc.getMap<Uint8Array>('records');
	for (const [key, value] of records)
		liveBytes += (rowIdOfKey(key)?.length ?? 0) + value.length - 13 + 12;
	await mirror.compactStorage();
	const { default: Dexie } = await import('dexie');
	const syncDb = new Dexie(syncDbName);
	await syncDb.open();
	const stored = (await syncDb.table('updates').toArray()) as { update: Uint8Array }[];
	syncDb.close();
	await mirror.close();
	vault.lock();
	db.close();
	return {
		docBytes,
		docBytesV2,
		liveBytes,
		storedBytes: stored.reduce((sum, row) => sum + row.update.length, 0)
	};
}

(globalThis as unknown as { benchSyncGrowth: unknown }).benchSyncGrowth = { measure };
