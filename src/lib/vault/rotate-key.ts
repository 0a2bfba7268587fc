/**
 * Replacing the vault key, for when a device is removed (a lost phone): everything is sealed
 * again under a new random key, so the removed device, which knows the old key, can open nothing
 * written from now on, and the sync room (derived from the key) moves with it.
 *
 * rotateVaultKey, on the device where the person removes another one:
 *   1. checks the password (it wraps the new key, and proves the person may do this);
 *   2. opens every record and scan with the old key and seals it with the new one, in memory;
 *      records get new ids (ids are keyed by the vault key), scans keep theirs (random ids that
 *      records refer to); rows that no longer open are kept as they are, flagged as before;
 *   3. wraps the new key under the same password, keyGeneration + 1;
 *   4. writes header, records and scans in ONE transaction: a tab killed during a rotation
 *      leaves the old vault whole or the new one, never a mix.
 * adoptVaultKey, on every other remaining device, once it has received the new key and header:
 * the new sync room brings every row again, so the device keeps only what it changed that the
 * rotating device had not seen (the caller picks those rows), re-sealed, and writes the new
 * header in the same single transaction.
 */
import { AUTHORITY_SEED_LENGTH } from '$lib/crypto/authority';
import { randomBytes, wipe } from '$lib/crypto/bytes';
import { DEFAULT_KDF, type KdfCost } from '$lib/crypto/kdf-params';
import type { PapiersDb, VaultHeaderRow } from './db';
import type { SealedRow } from './types';
import { openHeader, sealHeader, UnlockedVault, type PasswordKeyDeriver } from './vault';

/** A scan under the new key, same id; a scan that no longer opens is kept as it is. */
async function resealScan(
	row: SealedRow,
	from: UnlockedVault,
	to: UnlockedVault
): Promise<SealedRow> {
	let plaintext: Uint8Array | undefined;
	try {
		plaintext = await from.getScan(row.id);
	} catch {
		return row; // damaged: kept, flagged as before
	}
	if (!plaintext) return row;
	const resealed = to.sealScan(row.id, plaintext, row.at);
	wipe(plaintext);
	return resealed;
}

function resealRecord(row: SealedRow, from: UnlockedVault, to: UnlockedVault): SealedRow {
	let opened: { key: string; value: unknown };
	try {
		opened = from.openRecord(row);
	} catch {
		return row;
	}
	return to.sealRecord(opened.key, opened.value);
}

export interface RotationResult {
	/** The new vault key; the caller hands it to the remaining devices, then wipes it. */
	vaultKey: Uint8Array;
	header: VaultHeaderRow;
}

/** What `addRecords` may sign with; wiped when the rotation ends. */
export interface RotationSecrets extends RotationResult {
	/** The new authority's seed: signs who stays a member. */
	authoritySeed: Uint8Array;
	/** The current authority's seed (opened by the password): signs the handover. */
	previousAuthoritySeed: Uint8Array | undefined;
}

/**
 * Seals the whole vault under a new key and a new authority, wrapped under `newPassword` or,
 * without one, the same password. `omitKeys` are records left out (the removed devices'
 * registry records); `addRecords` are sealed under the new key in the same transaction (the
 * handover record and the remaining devices' memberships, signed with the secrets given).
 */
export async function rotateVaultKey(options: {
	vault: UnlockedVault;
	db: PapiersDb;
	password: string;
	newPassword?: string;
	deriveKey: PasswordKeyDeriver;
	omitKeys?: string[];
	addRecords?: (secrets: RotationSecrets) => { key: string; value: unknown }[];
	/** Tests only: cheap Argon2id parameters. */
	kdf?: KdfCost;
}): Promise<RotationResult> {
	const { vault, db, deriveKey } = options;
	const previous = await db.header.get('main');
	if (!previous) throw new Error('No vault on this device');
	// Throws WrongPasswordError: the person at the device knows the password.
	const current = await openHeader(previous, options.password, deriveKey);
	wipe(current.vaultKey);

	const vaultKey = randomBytes(32);
	const authoritySeed = randomBytes(AUTHORITY_SEED_LENGTH);
	const header = await sealHeader({
		...previous,
		vaultKey,
		authoritySeed,
		password: options.newPassword ?? options.password,
		kdf: options.kdf ?? {
			memoryKiB: Math.max(previous.kdf.memoryKiB, DEFAULT_KDF.memoryKiB),
			iterations: Math.max(previous.kdf.iterations, DEFAULT_KDF.iterations),
			parallelism: previous.kdf.parallelism
		},
		keyGeneration: previous.keyGeneration + 1,
		deriveKey
	});
	const next = new UnlockedVault(db, vaultKey.slice(), deriveKey);
	try {
		const omitted = new Set((options.omitKeys ?? []).map((key) => vault.recordId(key)));
		const records = (await db.records.toArray())
			.filter((row) => !omitted.has(row.id))
			.map((row) => resealRecord(row, vault, next));
		const secrets: RotationSecrets = {
			vaultKey,
			header,
			authoritySeed,
			previousAuthoritySeed: current.authoritySeed
		};
		for (const { key, value } of options.addRecords?.(secrets) ?? []) {
			records.push(next.sealRecord(key, value));
		}
		const scans: SealedRow[] = [];
		for (const id of await db.scans.toCollection().primaryKeys()) {
			const row = await db.scans.get(id);
			if (row) scans.push(await resealScan(row, vault, next));
		}
		await db.transaction('rw', db.header, db.records, db.scans, async () => {
			const current = await db.header.get('main');
			if (current?.keyGeneration !== previous.keyGeneration) {
				throw new Error('The vault key changed meanwhile');
			}
			await db.header.put(header);
			await db.header.delete('pending');
			await db.records.clear();
			await db.records.bulkPut(records);
			await db.scans.clear();
			await db.scans.bulkPut(scans);
		});
		return { vaultKey, header };
	} finally {
		next.lock();
		wipe(authoritySeed);
		if (current.authoritySeed) wipe(current.authoritySeed);
	}
}

/**
 * On a remaining device, once its person's password opened the new header (the caller checks
 * that, handover.ts): installs it and keeps `keep` (rows this device changed that the rotation
 * did not include), re-sealed; everything else comes back by sync.
 */
export async function adoptVaultKey(options: {
	vault: UnlockedVault;
	db: PapiersDb;
	vaultKey: Uint8Array;
	header: VaultHeaderRow;
	deriveKey: PasswordKeyDeriver;
	keep: { records: SealedRow[]; scans: SealedRow[] };
}): Promise<void> {
	const { vault, db } = options;
	const previous = await db.header.get('main');
	if (!previous) throw new Error('No vault on this device');
	if (options.header.keyGeneration <= previous.keyGeneration) {
		throw new Error('The received key is not newer than this vault');
	}
	const next = new UnlockedVault(db, options.vaultKey.slice(), options.deriveKey);
	try {
		const records = options.keep.records.map((row) => resealRecord(row, vault, next));
		const scans: SealedRow[] = [];
		for (const row of options.keep.scans) scans.push(await resealScan(row, vault, next));
		await db.transaction('rw', db.header, db.records, db.scans, async () => {
			const current = await db.header.get('main');
			if (current?.keyGeneration !== previous.keyGeneration) {
				throw new Error('The vault key changed meanwhile');
			}
			await db.header.put({ ...options.header, id: 'main' });
			await db.header.delete('pending');
			await db.records.clear();
			await db.records.bulkPut(records);
			await db.scans.clear();
			await db.scans.bulkPut(scans);
		});
	} finally {
		next.lock();
	}
}
