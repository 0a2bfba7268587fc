/**
 * What someone who copies the browser's storage (or reads the synced document) learns without
 * the password: not when each paper was saved, and not which kinds of papers there are from
 * the sizes of the sealed rows. The attacker here reads every object store of every database
 * the vault and its sync mirror use, field by field, and every value of the Yjs document.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import { readFileSync } from 'node:fs';
import { fromBase64, utf8Encode } from '$lib/crypto/bytes';
import { createVault, unlockVault, type UnlockedVault } from '$lib/vault/vault';
import { addHistoryEntry, listHistory } from '$lib/vault/consent-history';
import { sealToPublicKey } from '$lib/crypto/sealed-box';
import { drainInbox, postToInbox } from '$lib/vault/inbox';
import { saveElement, type NewScan } from '$lib/state/element-records';
import { announceDevice } from '$lib/sync/device-registry';
import { newDeviceKeyPair } from '$lib/sync/device-keys';
import { DocMirror } from '$lib/sync/doc-mirror';
import { decodeVersion } from '$lib/sync/version-value';
import { DOC_MAPS, rowIdOfKey } from '$lib/sync/doc-versions';
import { readScanRef } from '$lib/sync/scan-ref';
import { RECORD_BUCKET, SCAN_BUCKET } from '$lib/vault/padding';
import { UnreadableRecordError, type SealedRow } from '$lib/vault/types';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const DAY = 86_400_000;
/** Header of a version in the sync document before the ciphertext (version-value.ts). */
const VALUE_HEADER_BYTES = 13;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const step of cleanup.splice(0).reverse()) await step();
});

function scan(bytes: number, seed: number): NewScan {
	const data = new Uint8Array(bytes);
	for (let i = 0; i < bytes; i++) data[i] = (i * 31 + seed) & 0xff;
	return { bytes: data, width: 1200, height: 900, date: Math.floor(Date.now() / 1000) };
}

/** A vault holding one of each kind of record the app writes, mirrored into a sync document. */
async function filledVault(): Promise<{
	vault: UnlockedVault;
	db: PapiersDb;
	mirror: DocMirror;
	syncDbName: string;
}> {
	const tag = crypto.randomUUID();
	const db = openDatabase(`metadata-${tag}`);
	const vault = await createVault({ password: 'metadata', vault: { db, kdf } });
	const syncDbName = `metadata-sync-${tag}`;
	const mirror = await DocMirror.open({ vaultDb: db, vaultTag: tag, syncDbName });
	const stop = vault.onChange((change) => mirror.applyLocalChange(change));
	cleanup.push(
		() => db.close(),
		() => mirror.close(),
		stop
	);

	await saveElement(
		vault,
		{
			type: 'personal_details',
			data: {
				first_name: 'Ada',
				middle_name: '',
				last_name: 'Lovelace',
				birth_date: '10.12.1815',
				gender: 'female',
				country_code: 'GB',
				residence_country_code: 'GB',
				first_name_native: '',
				last_name_native: '',
				middle_name_native: ''
			}
		},
		undefined
	);
	await saveElement(
		vault,
		{
			type: 'passport',
			data: { document_no: 'X1234567', expiry_date: '01.02.2031' },
			front_side: scan(180_123, 1),
			selfie: scan(95_001, 2),
			translation: [scan(3_333, 3)]
		},
		undefined
	);
	await saveElement(
		vault,
		{
			type: 'address',
			data: {
				street_line1: '12 rue de la Paix',
				street_line2: '',
				city: 'Paris',
				state: '',
				country_code: 'FR',
				post_code: '75002'
			}
		},
		undefined
	);
	await saveElement(vault, { type: 'phone_number', phone_number: '33612345678' }, undefined);
	await saveElement(vault, { type: 'email', email: 'ada@example.org' }, undefined);
	for (const outcome of ['authorized', 'cancelled', 'failed'] as const) {
		await addHistoryEntry(vault, {
			outcome,
			origin: 'https://service.example',
			botId: '123456',
			serviceName: 'Example service',
			types: ['passport', 'email'],
			sent: [],
			...(outcome === 'failed' ? { error: 'SCOPE_INVALID' } : {})
		});
	}
	for (const name of ['Phone', 'Laptop']) {
		await announceDevice({ vault, identity: newDeviceKeyPair(), defaultName: name });
	}
	await mirror.settled();
	return { vault, db, mirror, syncDbName };
}

interface Field {
	path: string;
	value: unknown;
}

/** Every leaf of a stored value, byte arrays kept whole, with the path that leads to it. */
function leaves(value: unknown, path: string, out: Field[] = []): Field[] {
	if (value instanceof Uint8Array || value instanceof ArrayBuffer || value === null) {
		out.push({ path, value });
	} else if (value instanceof Date) {
		out.push({ path, value: value.getTime() });
	} else if (Array.isArray(value)) {
		value.forEach((inner, index) => leaves(inner, `${path}[${index}]`, out));
	} else if (typeof value === 'object' && value !== undefined) {
		for (const [key, inner] of Object.entries(value)) leaves(inner, `${path}.${key}`, out);
	} else {
		out.push({ path, value });
	}
	return out;
}

async function dumpDatabase(name: string): Promise<Map<string, unknown[]>> {
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open(name);
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
	const stores = new Map<string, unknown[]>();
	for (const store of Array.from(db.objectStoreNames)) {
		stores.set(
			store,
			await new Promise<unknown[]>((resolve, reject) => {
				const request = db.transaction(store).objectStore(store).getAll();
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			})
		);
	}
	db.close();
	return stores;
}

/**
 * Numbers that give away a moment close to now: within a day either side of the test, and not
 * a whole UTC day (a whole day tells the date, which is all a row may keep in clear).
 */
function exactTimes(fields: Field[], now: number): Field[] {
	return fields.filter(
		({ value }) => typeof value === 'number' && Math.abs(value - now) <= DAY && value % DAY !== 0
	);
}

/** Also a number written as text (the history's ids start with their time, for one). */
function timesInText(fields: Field[], now: number): Field[] {
	return fields.filter(
		({ value }) =>
			typeof value === 'string' &&
			[...value.matchAll(/\d{13}/g)].some(([digits]) => Math.abs(Number(digits) - now) <= DAY)
	);
}

describe('metadata left in clear', () => {
	it('IndexedDB keeps no save time and only bucketed ciphertext lengths', async () => {
		const { db, syncDbName } = await filledVault();
		const now = Date.now();
		const vaultStores = await dumpDatabase(db.name);
		const syncStores = await dumpDatabase(syncDbName);

		const fields: Field[] = [];
		for (const [database, stores] of [
			[db.name, vaultStores],
			[syncDbName, syncStores]
		] as const) {
			for (const [store, rows] of stores) {
				rows.forEach((row, index) => leaves(row, `${database}/${store}[${index}]`, fields));
			}
		}
		// Every field is checked, the header's creation time (rounded to the day) included.
		expect(exactTimes(fields, now)).toEqual([]);
		expect(timesInText(fields, now)).toEqual([]);

		const records = vaultStores.get('records') as { v: number; ct: Uint8Array }[];
		const scans = vaultStores.get('scans') as { v: number; ct: Uint8Array }[];
		// 5 elements, 3 history entries, 2 devices and the inbox key; 3 scans.
		expect(records).toHaveLength(11);
		expect(scans).toHaveLength(3);
		expect(records.map((row) => row.ct.length % RECORD_BUCKET)).toEqual(records.map(() => 0));
		expect(scans.map((row) => row.ct.length % SCAN_BUCKET)).toEqual(scans.map(() => 0));

		// The sync database remembers each row's fingerprint, which names its length; a scan's
		// names its reference (scan-ref.ts), which holds the sealed scan's length.
		const bases = syncStores.get('bases') as { key: string; fingerprint: string }[];
		expect(bases.length).toBe(records.length + scans.length);
		for (const { key, fingerprint } of bases) {
			const [v, length, sample] = fingerprint.split('.');
			if (key.startsWith('scans/')) {
				const ct = fromBase64(sample.replace(/-/g, '+').replace(/_/g, '/'));
				const ref = readScanRef({ id: key, v: Number(v), at: 0, ct })!;
				expect(ref, key).toBeDefined();
				expect(ref.size % SCAN_BUCKET, key).toBe(0);
			} else {
				expect(Number(length) % RECORD_BUCKET, key).toBe(0);
			}
		}
	});

	it('the sync document keeps no save time and only bucketed ciphertext lengths', async () => {
		const { mirror } = await filledVault();
		const now = Date.now();
		let counted = 0;
		for (const [table, step] of [
			['records', RECORD_BUCKET],
			['scans', SCAN_BUCKET]
		] as const) {
			for (const [key, value] of mirror.doc.getMap<Uint8Array>(DOC_MAPS[table])) {
				const row = decodeVersion(rowIdOfKey(key)!, value)!;
				expect(row, key).toBeDefined();
				expect(exactTimes([{ path: key, value: row.at }], now)).toEqual([]);
				// A scan is there by reference: the length it names is the sealed scan's.
				const length =
					table === 'scans' ? readScanRef(row)!.size : value.length - VALUE_HEADER_BYTES;
				expect(length % step, key).toBe(0);
				counted++;
			}
		}
		expect(counted).toBe(14);
	});

	it('records of different kinds share their sealed sizes', async () => {
		const { db, vault } = await filledVault();
		const rows = (await dumpDatabase(db.name)).get('records') as SealedRow[];
		const kind = (row: SealedRow) =>
			vault.openRecord(row).key.replace(/^(\w+:?[\w-]{0,16}).*$/, '$1');
		console.info(
			'sealed record sizes: ' + rows.map((row) => `${kind(row)} ${row.ct.length} B`).join(', ')
		);
		const lengths = new Set(rows.map((row) => row.ct.length));
		// Seven kinds in two sizes: every small one in the first bucket, and the passport, which
		// lists its three scans, in the next.
		expect(lengths.size).toBeLessThanOrEqual(2);
	});
});

describe('the inbox (what happens while the vault is locked)', () => {
	it('keeps refused requests in boxes of one size, whatever site sent them', async () => {
		const db = openDatabase(`metadata-inbox-${crypto.randomUUID()}`);
		cleanup.push(() => db.close());
		const vault = await createVault({ password: 'metadata', vault: { db, kdf } });
		vault.lock();
		for (const origin of ['https://a.example', `https://${'long-'.repeat(40)}name.example`]) {
			await postToInbox(db, {
				at: Date.now(),
				outcome: 'failed',
				origin,
				botId: '1',
				types: [],
				sent: [],
				error: 'SCOPE_INVALID'
			});
		}
		const rows = (await dumpDatabase(db.name)).get('inbox') as { sealed: Uint8Array }[];
		expect(rows.map((row) => row.sealed.length % RECORD_BUCKET)).toEqual([0, 0]);
		expect(rows[0].sealed.length).toBe(rows[1].sealed.length);

		// An entry the previous release posted (unpadded, no version) still reaches the history.
		const header = await db.header.get('main');
		const legacy = { at: 1, outcome: 'failed', origin: 'https://old.example', botId: '2' };
		await db.inbox.add({
			sealed: sealToPublicKey({
				recipientPublicKey: header!.inboxPublicKey!,
				plaintext: utf8Encode(JSON.stringify({ ...legacy, types: [], sent: [] }))
			})
		});

		const unlocked = await unlockVault({ password: 'metadata', vault: { db } });
		expect(await drainInbox(unlocked)).toBe(3);
		const origins = (await listHistory(unlocked)).map((entry) => entry.origin);
		expect(origins).toContain('https://old.example');
		expect(origins).toContain('https://a.example');
	});
});

/** Byte arrays in the fixture are written as { base64 }. */
function revive(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(revive);
	if (value && typeof value === 'object') {
		const { base64 } = value as { base64?: unknown };
		if (typeof base64 === 'string') return fromBase64(base64);
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
	}
	return value;
}

describe('a vault made by the previous release (record and scan format 1)', () => {
	const fixture = revive(JSON.parse(readFileSync('tests/fixtures/vault-v1.json', 'utf8'))) as {
		password: string;
		scanId: string;
		scanBase64: string;
		header: never;
		records: SealedRow[];
		scans: SealedRow[];
	};

	async function oldVault(): Promise<{ vault: UnlockedVault; db: PapiersDb }> {
		const db = openDatabase(`metadata-v1-${crypto.randomUUID()}`);
		cleanup.push(() => db.close());
		await db.header.put(fixture.header);
		await db.records.bulkPut(fixture.records);
		await db.scans.bulkPut(fixture.scans);
		const vault = await unlockVault({ password: fixture.password, vault: { db } });
		return { vault, db };
	}

	it('opens its records and scans, and their save times', async () => {
		expect(fixture.records.every((row) => row.v === 1)).toBe(true);
		expect(fixture.scans.every((row) => row.v === 1)).toBe(true);
		const { vault } = await oldVault();
		expect(await vault.get('element:email')).toMatchObject({ email: 'ada@example.org' });
		const passport = await vault.get<{ front_side: { id: string } }>('element:passport');
		expect(passport?.front_side.id).toBe(fixture.scanId);
		const scan = await vault.getScan(fixture.scanId);
		expect(Buffer.from(scan!).equals(Buffer.from(fromBase64(fixture.scanBase64)))).toBe(true);
		const { records, unreadable } = await vault.list('');
		expect(unreadable).toEqual([]);
		expect(records.map(({ key }) => key).sort()).toEqual([
			'element:email',
			'element:passport',
			'history:1764633600002-0f6f0e7c-5b0e-4a36-9d77-54f0a0c51b2d',
			'inbox-key'
		]);
		for (const row of fixture.records) expect(vault.openRecord(row).at).toBe(row.at);
	});

	it('saves over an old record in the new format, old and new side by side', async () => {
		const { vault, db } = await oldVault();
		await vault.put('element:email', { type: 'email', email: 'ada@example.com' });
		const rows = (await dumpDatabase(db.name)).get('records') as SealedRow[];
		expect(rows.map((row) => row.v).sort()).toEqual([1, 1, 1, 2]);
		expect(await vault.get('element:email')).toEqual({ type: 'email', email: 'ada@example.com' });
		expect(await vault.get('element:passport')).toBeDefined();
	});

	it('refuses a new row relabelled as format 1: the version is sealed with it', async () => {
		const { vault } = await oldVault();
		const row = vault.sealRecord('element:phone_number', { phone_number: '33612345678' });
		expect(row.v).toBe(2);
		expect(() => vault.openRecord({ ...row, v: 1 })).toThrow(UnreadableRecordError);
		expect(vault.openRecord(row).value).toEqual({ phone_number: '33612345678' });
	});
});
