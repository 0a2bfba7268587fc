import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import { createVault, unlockVault, type UnlockedVault } from '$lib/vault/vault';
import {
	BackupOtherVaultError,
	mergeBackup,
	readBackupHeader,
	restoreBackup,
	saveBackup,
	type MergeCounts
} from '$lib/vault/backup';
import {
	BACKUP_MAGIC,
	BackupDamagedError,
	BackupTooNewError,
	backupFileName,
	type BackupRow
} from '$lib/vault/backup-format';
import { VaultExistsError, WeakHeaderError } from '$lib/vault/import-header';
import { WrongPasswordError } from '$lib/vault/types';
import { DEFAULT_KDF } from '$lib/crypto/kdf-params';
import type { KdfParams } from '$lib/crypto/kdf-params';

// Cheap Argon2id keeps the many restores below fast; `floor` lowers the shipped minimum to match.
const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const floor = kdf;
const PASSWORD = 'correct horse battery staple';
const opened: PapiersDb[] = [];

function newDb(): PapiersDb {
	const db = openDatabase(`papiers-backup-test-${crypto.randomUUID()}`);
	opened.push(db);
	return db;
}
afterEach(() => {
	for (const db of opened.splice(0)) db.close();
});

async function vaultWithPapers(
	options: { scans?: number; records?: number } = {}
): Promise<{ db: PapiersDb; vault: UnlockedVault; scanIds: string[] }> {
	const db = newDb();
	const vault = await createVault({ password: PASSWORD, hint: 'horse', vault: { db, kdf } });
	for (let i = 0; i < (options.records ?? 3); i++) {
		await vault.put(`element:test-${i}`, { name: `Ada ${i}`, n: i });
	}
	const scanIds: string[] = [];
	for (let i = 0; i < (options.scans ?? 2); i++) {
		const bytes = new Uint8Array(70_000 + i * 1000);
		for (let at = 0; at < bytes.length; at += 65_536) {
			crypto.getRandomValues(bytes.subarray(at, at + 65_536));
		}
		scanIds.push(await vault.putScan(bytes));
	}
	return { db, vault, scanIds };
}

async function bytesOf(blob: Blob): Promise<Uint8Array> {
	return new Uint8Array(await blob.arrayBuffer());
}

/** A Blob whose stream arrives in small uneven chunks, as a file read from disk may. */
function chunked(bytes: Uint8Array, size = 997): Blob {
	return {
		size: bytes.length,
		stream: () =>
			new ReadableStream<Uint8Array>({
				start(controller) {
					for (let i = 0; i < bytes.length; i += size) {
						controller.enqueue(bytes.slice(i, i + size));
					}
					controller.close();
				}
			})
	} as unknown as Blob;
}

async function everything(db: PapiersDb) {
	const [header, pending, records, scans] = await Promise.all([
		db.header.get('main'),
		db.header.get('pending'),
		db.records.orderBy(':id').toArray(),
		db.scans.orderBy(':id').toArray()
	]);
	return { header, pending, records, scans };
}

async function expectEmpty(db: PapiersDb) {
	expect(await db.header.count()).toBe(0);
	expect(await db.records.count()).toBe(0);
	expect(await db.scans.count()).toBe(0);
}

async function restoreInto(db: PapiersDb, file: Blob, password = PASSWORD) {
	return restoreBackup({ db, file, password, floor, ...kdfDeriver });
}

const kdfDeriver = {
	deriveKey: async (password: string, params: KdfParams) => {
		const { deriveKeyFromPassword } = await import('$lib/crypto/kdf');
		return deriveKeyFromPassword({ password, params });
	}
};

/**
 * The file's sections, from its layout (backup-format.ts): preamble, each row, the end. Tests
 * cut, drop, repeat and move them as an attacker without the vault key could.
 */
function sections(bytes: Uint8Array): {
	preamble: Uint8Array;
	rows: Uint8Array[];
	end: Uint8Array;
} {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let at = BACKUP_MAGIC.length + 2;
	at += 4 + view.getUint32(at);
	const preamble = bytes.slice(0, at);
	const rows: Uint8Array[] = [];
	while (bytes[at] !== 0) {
		const start = at;
		const idLength = view.getUint16(at + 1);
		const ctLength = view.getUint32(at + 3 + idLength + 12);
		at += 3 + idLength + 16 + ctLength;
		rows.push(bytes.slice(start, at));
	}
	return { preamble, rows, end: bytes.slice(at) };
}

function join(...parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.length;
	}
	return out;
}

/** The end section with its counts changed to match a file that gained or lost rows. */
function endWithCounts(end: Uint8Array, records: number, scans: number): Uint8Array {
	const copy = end.slice();
	const view = new DataView(copy.buffer);
	view.setUint32(1, records);
	view.setUint32(5, scans);
	return copy;
}

describe('backup file: round trip', () => {
	it('restores header, every record and every scan byte for byte, and the vault opens', async () => {
		// 9 scans: read in several batches (backup.ts reads 4 at a time).
		const { db, vault, scanIds } = await vaultWithPapers({ scans: 9 });
		const saved = await saveBackup({ vault, now: Date.UTC(2026, 11, 2, 23, 59) });
		expect(saved.fileName).toBe('papiers-2026-12-02.papiers');
		expect(saved.counts).toEqual({ records: 4, scans: 9 }); // 3 papers + the inbox key

		const target = newDb();
		const counts = await restoreInto(target, chunked(await bytesOf(saved.blob)));
		expect(counts).toEqual({ records: 4, scans: 9 });
		expect(await everything(target)).toEqual(await everything(db));

		const reopened = await unlockVault({ password: PASSWORD, vault: { db: target } });
		expect(await reopened.get('element:test-2')).toEqual({ name: 'Ada 2', n: 2 });
		for (const id of scanIds) expect(await reopened.getScan(id)).toEqual(await vault.getScan(id));
	});

	it('holds ciphertext only: no paper, hint aside, is readable in the file', async () => {
		const { vault } = await vaultWithPapers();
		const text = new TextDecoder('latin1').decode(
			await bytesOf((await saveBackup({ vault })).blob)
		);
		expect(text).not.toContain('Ada');
		expect(text).not.toContain('element:');
	});

	it('leaves out a pending header (a password change not yet confirmed here)', async () => {
		const { db, vault } = await vaultWithPapers();
		const main = (await db.header.get('main'))!;
		await db.header.put({ ...main, id: 'pending', hint: 'someone else' });
		const target = newDb();
		await restoreInto(target, (await saveBackup({ vault })).blob);
		expect(await target.header.get('pending')).toBeUndefined();
		expect((await target.header.get('main'))?.hint).toBe('horse');
	});

	it('refuses a device that already holds a vault, and leaves it as it was', async () => {
		const { vault } = await vaultWithPapers();
		const { db: other } = await vaultWithPapers({ scans: 0 });
		const before = await everything(other);
		await expect(restoreInto(other, (await saveBackup({ vault })).blob)).rejects.toBeInstanceOf(
			VaultExistsError
		);
		expect(await everything(other)).toEqual(before);
	});

	it('the file name is papiers-<UTC date>.papiers', () => {
		expect(backupFileName(Date.UTC(2027, 0, 5, 1))).toBe('papiers-2027-01-05.papiers');
	});
});

describe('backup file: refused, nothing written', () => {
	let file: Uint8Array;
	let otherVaultFile: Uint8Array;

	beforeAll(async () => {
		const { vault } = await vaultWithPapers({ records: 3, scans: 2 });
		file = await bytesOf((await saveBackup({ vault })).blob);
		const other = await vaultWithPapers({ records: 2, scans: 1 });
		otherVaultFile = await bytesOf((await saveBackup({ vault: other.vault })).blob);
	});

	async function expectRefused(bytes: Uint8Array, password = PASSWORD) {
		const db = newDb();
		const error = await restoreInto(db, chunked(bytes), password).then(
			() => undefined,
			(e: unknown) => e
		);
		expect(error, 'the file was accepted').toBeInstanceOf(Error);
		expect(
			[BackupDamagedError, WrongPasswordError, BackupTooNewError, WeakHeaderError].some(
				(type) => error instanceof type
			),
			String(error)
		).toBe(true);
		await expectEmpty(db);
		return error;
	}

	it('a wrong password', async () => {
		expect(await expectRefused(file, 'wrong horse')).toBeInstanceOf(WrongPasswordError);
	});

	it('a file cut at every section boundary', async () => {
		const { preamble, rows, end } = sections(file);
		const cuts = new Set<number>([0, 5, BACKUP_MAGIC.length, BACKUP_MAGIC.length + 2]);
		cuts.add(BACKUP_MAGIC.length + 6);
		let at = preamble.length;
		cuts.add(at);
		for (const row of rows) {
			cuts.add(at + 1);
			cuts.add(at + row.length - 1);
			at += row.length;
			cuts.add(at);
		}
		for (const offset of [1, 5, 9, end.length - 1]) cuts.add(at + offset);
		expect(at + end.length).toBe(file.length);
		for (const cut of cuts) {
			expect(await expectRefused(file.slice(0, cut))).toBeInstanceOf(BackupDamagedError);
		}
	});

	it('a file cut at random points', async () => {
		for (let i = 0; i < 25; i++) {
			const cut = Math.floor(Math.random() * file.length);
			expect(await expectRefused(file.slice(0, cut))).toBeInstanceOf(BackupDamagedError);
		}
	});

	it('a flipped bit anywhere: magic, version, header, row fields, ciphertext, counts, MAC', async () => {
		const { preamble, rows } = sections(file);
		const positions = new Set<number>();
		for (let i = 0; i < preamble.length; i += 3) positions.add(i);
		let at = preamble.length;
		for (const row of rows) {
			for (let i = 0; i < 40; i++) positions.add(at + i);
			positions.add(at + Math.floor(row.length / 2));
			positions.add(at + row.length - 1);
			at += row.length;
		}
		for (let i = at; i < file.length; i++) positions.add(i);
		for (let i = 0; i < 20; i++) positions.add(Math.floor(Math.random() * file.length));
		for (const position of positions) {
			const flipped = file.slice();
			flipped[position] ^= 1 << (position % 8);
			await expectRefused(flipped);
		}
	});

	it('a row removed, duplicated or moved, with the counts adjusted or not', async () => {
		const { preamble, rows, end } = sections(file);
		const records = rows.filter((row) => row[0] === 1).length;
		const scans = rows.length - records;
		const variants = [
			join(preamble, ...rows.slice(1), end),
			join(preamble, ...rows.slice(1), endWithCounts(end, records - 1, scans)),
			join(preamble, ...rows.slice(0, -1), endWithCounts(end, records, scans - 1)),
			join(preamble, rows[0], ...rows, endWithCounts(end, records + 1, scans)),
			join(preamble, rows[1], rows[0], ...rows.slice(2), end),
			join(preamble, ...rows, rows[rows.length - 1], end),
			join(preamble, end)
		];
		for (const variant of variants) {
			expect(await expectRefused(variant)).toBeInstanceOf(BackupDamagedError);
		}
	});

	it('a row from another vault, added or in place of one', async () => {
		const { preamble, rows, end } = sections(file);
		const foreign = sections(otherVaultFile).rows;
		const records = rows.filter((row) => row[0] === 1).length;
		const scans = rows.length - records;
		const variants = [
			join(preamble, ...rows, foreign[0], endWithCounts(end, records + 1, scans)),
			join(preamble, foreign[0], ...rows.slice(1), end),
			join(preamble, ...rows.slice(0, -1), foreign[foreign.length - 1], end),
			// The other vault's rows and end under this file's header.
			join(preamble, ...foreign, sections(otherVaultFile).end)
		];
		for (const variant of variants) {
			expect(await expectRefused(variant)).toBeInstanceOf(BackupDamagedError);
		}
	});

	it('bytes after the end', async () => {
		expect(await expectRefused(join(file, new Uint8Array([0])))).toBeInstanceOf(BackupDamagedError);
	});

	it('a newer format, before any password is asked', async () => {
		const newer = file.slice();
		new DataView(newer.buffer).setUint16(BACKUP_MAGIC.length, 2);
		await expect(readBackupHeader(chunked(newer), { floor })).rejects.toBeInstanceOf(
			BackupTooNewError
		);
		let derived = 0;
		const db = newDb();
		await expect(
			restoreBackup({
				db,
				file: chunked(newer),
				password: PASSWORD,
				floor,
				deriveKey: async (...args) => {
					derived++;
					return kdfDeriver.deriveKey(...args);
				}
			})
		).rejects.toBeInstanceOf(BackupTooNewError);
		expect(derived).toBe(0);
		await expectEmpty(db);
	});

	it('a key derivation weaker than the shipped one, before any password is asked', async () => {
		await expect(readBackupHeader(chunked(file))).rejects.toBeInstanceOf(WeakHeaderError);
		const db = newDb();
		await expect(
			restoreBackup({ db, file: chunked(file), password: PASSWORD, ...kdfDeriver })
		).rejects.toBeInstanceOf(WeakHeaderError);
		await expectEmpty(db);
		expect(DEFAULT_KDF.memoryKiB).toBeGreaterThan(kdf.memoryKiB);
	});

	it('not a backup at all', async () => {
		expect(await expectRefused(new TextEncoder().encode('hello'))).toBeInstanceOf(
			BackupDamagedError
		);
		expect(await expectRefused(new Uint8Array(0))).toBeInstanceOf(BackupDamagedError);
	});
});

describe('backup restore: interrupted or changed between the check and the write', () => {
	it('a file that changes after it was checked leaves no header and no rows', async () => {
		const { vault } = await vaultWithPapers();
		const good = await bytesOf((await saveBackup({ vault })).blob);
		const bad = good.slice();
		bad[bad.length - 40] ^= 1;
		let reads = 0;
		const changing = {
			size: good.length,
			stream: () => chunked(reads++ === 0 ? good : bad).stream()
		} as unknown as Blob;
		const db = newDb();
		await expect(restoreInto(db, changing)).rejects.toBeInstanceOf(BackupDamagedError);
		expect(reads).toBe(2);
		await expectEmpty(db);
	});

	it('rows left without a header (a restore cut short) are cleared by the next restore', async () => {
		const { db: source, vault } = await vaultWithPapers();
		const file = (await saveBackup({ vault })).blob;
		const db = newDb();
		await db.records.put({ id: 'left-over', v: 2, at: 0, ct: new Uint8Array(512) });
		await restoreInto(db, file);
		expect(await db.records.get('left-over')).toBeUndefined();
		expect(await everything(db)).toEqual(await everything(source));
	});
});

describe('backup merge into an unlocked vault', () => {
	/** A stand-in for sync's addVersions: records what it was given. */
	function collecting(vault: UnlockedVault) {
		const given: BackupRow[] = [];
		return {
			given,
			target: {
				recordId: (key: string) => vault.recordId(key),
				async addVersions(batch: BackupRow[]): Promise<MergeCounts> {
					given.push(...batch);
					return { added: batch.length, conflicts: 0, same: 0 };
				}
			}
		};
	}

	it('hands every row of a checked file of this vault on', async () => {
		const { db, vault } = await vaultWithPapers();
		const file = (await saveBackup({ vault })).blob;
		const { given, target } = collecting(vault);
		const counts = await mergeBackup({ target, file, password: PASSWORD, floor, ...kdfDeriver });
		expect(counts.added).toBe(6);
		expect(given.map((entry) => entry.row)).toEqual([
			...(await db.records.orderBy(':id').toArray()),
			...(await db.scans.orderBy(':id').toArray())
		]);
	});

	it('refuses a backup of another vault, handing nothing on', async () => {
		const { vault } = await vaultWithPapers();
		const other = await vaultWithPapers({ scans: 0 });
		const file = (await saveBackup({ vault: other.vault })).blob;
		const { given, target } = collecting(vault);
		await expect(
			mergeBackup({ target, file, password: PASSWORD, floor, ...kdfDeriver })
		).rejects.toBeInstanceOf(BackupOtherVaultError);
		expect(given).toEqual([]);
	});

	it('refuses a damaged file before handing anything on', async () => {
		const { vault } = await vaultWithPapers();
		const bytes = await bytesOf((await saveBackup({ vault })).blob);
		bytes[bytes.length - 100] ^= 4;
		const { given, target } = collecting(vault);
		await expect(
			mergeBackup({ target, file: chunked(bytes), password: PASSWORD, floor, ...kdfDeriver })
		).rejects.toBeInstanceOf(BackupDamagedError);
		expect(given).toEqual([]);
	});
});

describe('a restore cut short, then a new vault instead', () => {
	it('the rows it left (no header) are cleared when a vault is created', async () => {
		const db = newDb();
		await db.records.put({ id: 'left-over', v: 2, at: 0, ct: new Uint8Array(512) });
		await db.scans.put({ id: 'left-over-scan', v: 2, at: 0, ct: new Uint8Array(65_536) });
		const vault = await createVault({ password: PASSWORD, vault: { db, kdf } });
		expect(await db.records.get('left-over')).toBeUndefined();
		expect(await db.scans.count()).toBe(0);
		expect((await vault.list('')).unreadable).toEqual([]);
	});
});
