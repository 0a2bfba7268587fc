/**
 * Saving and restoring backup files (format: backup-format.ts) against this device's IndexedDB.
 *
 * Saving reads the rows in batches inside one read transaction (a consistent snapshot) and
 * appends each batch to a Blob as it goes: the browser keeps a Blob's parts in its blob store
 * (on disk past a size), so the page holds one batch of rows at a time, never the vault twice.
 *
 * Restoring reads the file twice, as a stream each time: first to check it whole (header,
 * password, every row, counts, MAC) without writing anything, then to write it. On a fresh
 * device the rows go in batches and the header last, in its own transaction: a restore cut
 * short (tab closed, storage full) leaves rows with no header, which no password opens and the
 * app treats as "no vault"; the next restore clears them first. Should the second read differ
 * from the first (the file changed on disk: browsers refuse to read a File modified after it
 * was picked, and the MAC is checked again anyway), the written rows are cleared and no header
 * is written.
 */
import { wipe } from '$lib/crypto/bytes';
import { deriveSubkey } from '$lib/crypto/hkdf';
import { keyedId } from '$lib/crypto/keyed-id';
import type { KdfCost } from '$lib/crypto/kdf-params';
import type { PapiersDb, VaultHeaderRow } from './db';
import {
	BackupDamagedError,
	BackupReader,
	BackupWriter,
	BACKUP_MIME_TYPE,
	backupFileName,
	type BackupRow,
	type BackupTable
} from './backup-format';
import { headerToTransfer, VaultExistsError } from './import-header';
import { openHeader, type PasswordKeyDeriver } from './vault';
import type { SealedRow } from './types';

/**
 * Rows per read batch. Scans are 64 KiB to a few MB each (a 12 MP photo downscaled and
 * re-encoded): 4 keeps a batch to a few MB.
 */
const READ_BATCH = { records: 500, scans: 4 } as const;
/**
 * A write batch ends at this many bytes of ciphertext or WRITE_BATCH_ROWS rows. Measured with
 * `npm run bench` (20 MB of 1 MB scans): 4 MB batches held 22 MB in the page at the peak and
 * took longer than 1 MB ones, which held 7 MB.
 */
const WRITE_BATCH_BYTES = 1024 * 1024;
const WRITE_BATCH_ROWS = 500;

export interface BackupCounts {
	records: number;
	scans: number;
}

/** What saveBackup needs of the unlocked vault. */
export interface BackupSource {
	readonly db: PapiersDb;
	deriveSubkey(purpose: 'backup-file'): Uint8Array;
}

export interface SavedBackup {
	blob: Blob;
	fileName: string;
	counts: BackupCounts;
}

/** The backup of this device's vault, as a Blob built batch by batch. */
export async function saveBackup(options: {
	vault: BackupSource;
	now?: number;
}): Promise<SavedBackup> {
	const { db } = options.vault;
	const macKey = options.vault.deriveSubkey('backup-file');
	const writer = new BackupWriter(macKey);
	wipe(macKey);
	let blob = new Blob([]);
	const append = (pieces: Uint8Array[]) => {
		// A Blob of a Blob and new parts references the old one: nothing is copied twice.
		blob = new Blob([blob, ...(pieces as BlobPart[])], { type: BACKUP_MIME_TYPE });
	};
	await db.transaction('r', db.header, db.records, db.scans, async () => {
		const header = await db.header.get('main');
		if (!header) throw new Error('No vault on this device');
		append([writer.start(header)]);
		for (const table of ['records', 'scans'] as const) {
			let last: string | undefined;
			for (;;) {
				const batch: SealedRow[] =
					last === undefined
						? await db[table].orderBy(':id').limit(READ_BATCH[table]).toArray()
						: await db[table].where(':id').above(last).limit(READ_BATCH[table]).toArray();
				if (batch.length === 0) break;
				append(batch.flatMap((row) => writer.row({ table, row })));
				last = batch[batch.length - 1].id;
			}
		}
	});
	append([writer.finish()]);
	return { blob, fileName: backupFileName(options.now ?? Date.now()), counts: writer.counts };
}

/** The header of a backup, read before asking for the password (newer format, weak KDF…). */
export async function readBackupHeader(
	file: Blob,
	options: { floor?: KdfCost } = {}
): Promise<VaultHeaderRow> {
	const reader = new BackupReader(file.stream());
	try {
		return await reader.readHeader(options);
	} finally {
		reader.cancel();
	}
}

interface OpenedBackup {
	header: VaultHeaderRow;
	macKey: Uint8Array;
	idKey: Uint8Array;
}

/** Opens the file's header with the password (WrongPasswordError) and checks the whole file. */
async function openAndVerify(options: {
	file: Blob;
	password: string;
	deriveKey: PasswordKeyDeriver;
	floor?: KdfCost;
}): Promise<OpenedBackup & { counts: BackupCounts }> {
	const reader = new BackupReader(options.file.stream());
	let opened: OpenedBackup;
	try {
		const header = await reader.readHeader({ floor: options.floor });
		const { vaultKey, authoritySeed } = await openHeader(
			header,
			options.password,
			options.deriveKey
		);
		opened = {
			header,
			macKey: deriveSubkey(vaultKey, 'backup-file'),
			idKey: deriveSubkey(vaultKey, 'record-ids')
		};
		wipe(vaultKey);
		if (authoritySeed) wipe(authoritySeed);
	} catch (error) {
		reader.cancel();
		throw error;
	}
	reader.authenticate(opened.macKey);
	const counts = { records: 0, scans: 0 };
	for await (const { table } of reader.rows({ withoutCiphertext: true })) counts[table]++;
	return { ...opened, counts };
}

/** Reads the file again, checked against the first read, handing rows on in batches. */
async function writeInBatches(
	opened: OpenedBackup,
	file: Blob,
	floor: KdfCost | undefined,
	write: (batch: BackupRow[]) => Promise<void>
): Promise<void> {
	const reader = new BackupReader(file.stream());
	const header = await reader.readHeader({ floor });
	if (
		JSON.stringify(headerToTransfer(header)) !== JSON.stringify(headerToTransfer(opened.header))
	) {
		reader.cancel();
		throw new BackupDamagedError('the file changed while it was read');
	}
	reader.authenticate(opened.macKey);
	let batch: BackupRow[] = [];
	let bytes = 0;
	for await (const row of reader.rows()) {
		batch.push(row);
		bytes += row.row.ct.length;
		if (bytes >= WRITE_BATCH_BYTES || batch.length >= WRITE_BATCH_ROWS) {
			await write(batch);
			batch = [];
			bytes = 0;
		}
	}
	if (batch.length) await write(batch);
}

function byTable(batch: BackupRow[], table: BackupTable): SealedRow[] {
	return batch.filter((entry) => entry.table === table).map((entry) => entry.row);
}

/**
 * Restores a backup on a device with no vault. Throws, with nothing written: WrongPasswordError,
 * WeakHeaderError, BackupTooNewError, BackupDamagedError, VaultExistsError (this device already
 * has a vault). After it resolves, the vault opens with the same password.
 */
export async function restoreBackup(options: {
	db: PapiersDb;
	file: Blob;
	password: string;
	deriveKey: PasswordKeyDeriver;
	/** The least KDF cost accepted; tests lower it. */
	floor?: KdfCost;
}): Promise<BackupCounts> {
	const { db, file, floor } = options;
	if (await db.header.get('main')) throw new VaultExistsError();
	const opened = await openAndVerify(options);
	try {
		// Rows with no header are what an interrupted restore left: nothing can open them.
		await db.transaction('rw', db.header, db.records, db.scans, db.inbox, async () => {
			if ((await db.header.count()) > 0) throw new VaultExistsError();
			await Promise.all([db.records.clear(), db.scans.clear(), db.inbox.clear()]);
		});
		try {
			await writeInBatches(opened, file, floor, async (batch) => {
				await db.transaction('rw', db.records, db.scans, async () => {
					await db.records.bulkAdd(byTable(batch, 'records'));
					await db.scans.bulkAdd(byTable(batch, 'scans'));
				});
			});
			await db.transaction('rw', db.header, async () => {
				if ((await db.header.count()) > 0) throw new VaultExistsError();
				await db.header.add({ ...opened.header, id: 'main' });
			});
		} catch (error) {
			if (!(error instanceof VaultExistsError)) {
				await db.transaction('rw', db.records, db.scans, async () => {
					await Promise.all([db.records.clear(), db.scans.clear()]);
				});
			}
			throw error;
		}
		return opened.counts;
	} finally {
		wipe(opened.macKey, opened.idKey);
	}
}

/** The backup holds another vault (or this one before its key changed): it cannot be merged. */
export class BackupOtherVaultError extends Error {
	constructor() {
		super('This backup is of another vault, or of this vault before its key was changed');
		this.name = 'BackupOtherVaultError';
	}
}

/** What merging a backup needs of the unlocked vault and of sync. */
export interface MergeTarget {
	recordId(key: string): string;
	/** Adds the rows as versions beside the ones here (sync's conflict rule); counts what it did. */
	addVersions(batch: BackupRow[]): Promise<MergeCounts>;
}

export interface MergeCounts {
	/** Rows this vault did not have. */
	added: number;
	/** Rows this vault has with other content: both versions kept, as a sync conflict. */
	conflicts: number;
	/** Rows identical here and in the file. */
	same: number;
}

/** Any key: both vaults' id keys give the same id for it only if they are one vault key. */
const SAME_VAULT_PROBE = 'backup:same-vault';

/**
 * Merges a backup of this vault into it: the file is checked whole first (as restoreBackup),
 * and must hold this vault's current key (BackupOtherVaultError otherwise, nothing changed).
 */
export async function mergeBackup(options: {
	target: MergeTarget;
	file: Blob;
	password: string;
	deriveKey: PasswordKeyDeriver;
	floor?: KdfCost;
}): Promise<MergeCounts> {
	const opened = await openAndVerify(options);
	try {
		if (keyedId(opened.idKey, SAME_VAULT_PROBE) !== options.target.recordId(SAME_VAULT_PROBE)) {
			throw new BackupOtherVaultError();
		}
		const total: MergeCounts = { added: 0, conflicts: 0, same: 0 };
		await writeInBatches(opened, options.file, options.floor, async (batch) => {
			const counts = await options.target.addVersions(batch);
			total.added += counts.added;
			total.conflicts += counts.conflicts;
			total.same += counts.same;
		});
		return total;
	} finally {
		wipe(opened.macKey, opened.idKey);
	}
}
