/**
 * Runs in Chromium for 06-backup.bench.js: the real vault and backup code on IndexedDB. Cheap
 * Argon2id (the unlock bench measures the shipped one; here it would only add a constant to the
 * restore). Each phase is its own call, so the bench can sample memory between and during them.
 */
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import { createVault, type UnlockedVault } from '$lib/vault/vault';
import { restoreBackup, saveBackup } from '$lib/vault/backup';
import type { SealedRow } from '$lib/vault/types';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const PASSWORD = 'bench backup';
let source: { db: PapiersDb; vault: UnlockedVault } | undefined;
let file: Blob | undefined;

/** A vault with `scans` scans of `scanBytes` random bytes each (random: nothing compresses). */
async function setUp(options: { scans: number; scanBytes: number }) {
	const db = openDatabase(`bench-backup-${crypto.randomUUID()}`);
	const vault = await createVault({ password: PASSWORD, vault: { db, kdf } });
	for (let i = 0; i < 12; i++)
		await vault.put(`element:bench-${i}`, { n: i, text: 'x'.repeat(200) });
	for (let i = 0; i < options.scans; i++) {
		const bytes = new Uint8Array(options.scanBytes);
		for (let at = 0; at < bytes.length; at += 65_536) {
			crypto.getRandomValues(bytes.subarray(at, at + 65_536));
		}
		await vault.putScan(bytes);
	}
	source = { db, vault };
	const rows = [...(await db.records.toArray()), ...(await db.scans.toArray())];
	return { rows: rows.length, bytes: rows.reduce((n, row) => n + row.ct.length, 0) };
}

async function save() {
	const started = performance.now();
	const saved = await saveBackup({ vault: source!.vault });
	const ms = performance.now() - started;
	file = saved.blob;
	return { ms, fileBytes: saved.blob.size };
}

async function restore() {
	const db = openDatabase(`bench-restore-${crypto.randomUUID()}`);
	const started = performance.now();
	await restoreBackup({
		db,
		file: file!,
		password: PASSWORD,
		floor: kdf,
		deriveKey: async (password, params) => {
			const { deriveKeyFromPassword } = await import('$lib/crypto/kdf');
			return deriveKeyFromPassword({ password, params });
		}
	});
	const ms = performance.now() - started;
	const count = (await db.records.count()) + (await db.scans.count());
	db.close();
	return { ms, rows: count };
}

/** The anchor: the same rows read from IndexedDB and written to a new database, nothing else. */
async function copyRows() {
	const { db } = source!;
	const target = openDatabase(`bench-copy-${crypto.randomUUID()}`);
	await target.open();
	const started = performance.now();
	const records: SealedRow[] = await db.records.toArray();
	const scans: SealedRow[] = await db.scans.toArray();
	await target.transaction('rw', target.records, target.scans, async () => {
		await target.records.bulkAdd(records);
		await target.scans.bulkAdd(scans);
	});
	const ms = performance.now() - started;
	target.close();
	return { ms };
}

function dropFile() {
	file = undefined;
}

(globalThis as unknown as { benchBackup: unknown }).benchBackup = {
	setUp,
	save,
	restore,
	copyRows,
	dropFile
};
