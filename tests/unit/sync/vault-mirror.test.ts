/**
 * The real vault wired to the mirror the way the app wires it (vault.onChange ->
 * mirror.applyLocalChange), on two devices that share a vault key as pairing leaves them.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import { createVault, unlockVault, type UnlockedVault } from '$lib/vault/vault';
import { DocMirror } from '$lib/sync/doc-mirror';
import { deriveRoomCredentials } from '$lib/sync/room-credentials';
import { ScanTransfer } from '$lib/sync/scan-transfer';
import { connectTransfers, scansSettled } from './devices';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const password = 'correct horse battery staple';
const MARKER = 'MARKER-PASSPORT-X1234567';
let counter = 0;

interface Phone {
	name: string;
	db: PapiersDb;
	vault: UnlockedVault;
	mirror: DocMirror;
	transfer: ScanTransfer;
	stop: () => void;
}

const phones: Phone[] = [];
afterEach(async () => {
	for (const phone of phones.splice(0)) {
		phone.stop();
		await phone.transfer.stop();
		await phone.mirror.close();
		phone.db.close();
	}
});

async function connect(db: PapiersDb, vault: UnlockedVault): Promise<Phone> {
	const mirror = await DocMirror.open({
		vaultDb: db,
		vaultTag: deriveRoomCredentials((purpose) => vault.deriveSubkey(purpose)).roomName,
		syncDbName: `vault-mirror-sync-${++counter}`
	});
	const stop = vault.onChange((change) => mirror.applyLocalChange(change));
	const transfer = new ScanTransfer({ mirror, vaultDb: db, pieces: mirror.pieces });
	const phone = { name: `phone-${counter}`, db, vault, mirror, transfer, stop };
	phones.push(phone);
	return phone;
}

/** A first phone with a new vault, and a second that received its header (as pairing does). */
async function pairedPhones(): Promise<[Phone, Phone]> {
	const firstDb = openDatabase(`vault-mirror-a-${++counter}`);
	const first = await createVault({ password, vault: { db: firstDb, kdf } });
	const secondDb = openDatabase(`vault-mirror-b-${++counter}`);
	await secondDb.header.put((await firstDb.header.get('main'))!);
	const second = await unlockVault({ password, vault: { db: secondDb } });
	return [await connect(firstDb, first), await connect(secondDb, second)];
}

async function exchange(a: Phone, b: Phone): Promise<void> {
	Y.applyUpdate(
		b.mirror.doc,
		Y.encodeStateAsUpdate(a.mirror.doc, Y.encodeStateVector(b.mirror.doc))
	);
	Y.applyUpdate(
		a.mirror.doc,
		Y.encodeStateAsUpdate(b.mirror.doc, Y.encodeStateVector(a.mirror.doc))
	);
	await Promise.all([a.mirror.settled(), b.mirror.settled()]);
	const cut = connectTransfers(a, b);
	await scansSettled(a, b);
	cut();
}

describe('the vault syncing through the mirror', () => {
	it('opens on the second phone what the first phone saved, scans and deletes included', async () => {
		const [first, second] = await pairedPhones();
		await first.vault.put('element:passport', { number: MARKER });
		const scanId = await first.vault.putScan(new TextEncoder().encode(`scan ${MARKER}`));
		await first.vault.saveAtomically({
			put: [{ key: 'element:address', value: { street: 'rue de la Paix' } }]
		});
		await exchange(first, second);
		expect(await second.vault.get('element:passport')).toEqual({ number: MARKER });
		expect(await second.vault.get('element:address')).toEqual({ street: 'rue de la Paix' });
		expect(new TextDecoder().decode(await second.vault.getScan(scanId))).toBe(`scan ${MARKER}`);

		await second.vault.delete('element:address');
		await second.vault.deleteScan(scanId);
		await exchange(first, second);
		expect(await first.vault.get('element:address')).toBeUndefined();
		expect(await first.vault.getScan(scanId)).toBeUndefined();
		expect(await first.vault.get('element:passport')).toEqual({ number: MARKER });

		// The document carries ciphertext only.
		const state = Buffer.from(Y.encodeStateAsUpdate(first.mirror.doc));
		expect(state.includes(MARKER)).toBe(false);
		expect(state.includes('element:passport')).toBe(false);
	});

	it('lists concurrent edits of one element as a conflict the vault can open', async () => {
		const [first, second] = await pairedPhones();
		await first.vault.put('element:phone_number', '+33 6 00 00 00 01');
		await second.vault.put('element:phone_number', '+33 6 00 00 00 02');
		await exchange(first, second);
		const [conflict] = second.mirror.listConflicts();
		expect(conflict.versions.map((row) => second.vault.openRecord(row).value).sort()).toEqual([
			'+33 6 00 00 00 01',
			'+33 6 00 00 00 02'
		]);
		const chosen = conflict.versions.find(
			(row) => second.vault.openRecord(row).value === '+33 6 00 00 00 01'
		)!;
		await second.mirror.resolveConflict({ id: conflict.id, chosen });
		await exchange(first, second);
		expect(first.mirror.listConflicts()).toEqual([]);
		expect(await first.vault.get('element:phone_number')).toBe('+33 6 00 00 00 01');
		expect(await second.vault.get('element:phone_number')).toBe('+33 6 00 00 00 01');
	});

	it('stores a row tampered with in transit, flagged unreadable, and the rest still opens', async () => {
		const [first, second] = await pairedPhones();
		await first.vault.put('element:email', 'a@example.org');
		await first.vault.put('element:passport', { number: MARKER });
		// A hostile peer rewrites the passport's version with one flipped ciphertext byte.
		const records = first.mirror.doc.getMap<Uint8Array>('records');
		const id = first.vault.recordId('element:passport');
		const key = [...records.keys()].find((k) => k.startsWith(`${id}@`))!;
		const altered = records.get(key)!.slice();
		altered[altered.length - 5] ^= 1;
		const hostile = new Y.Doc();
		Y.applyUpdate(hostile, Y.encodeStateAsUpdate(first.mirror.doc));
		hostile.getMap<Uint8Array>('records').set(key, altered);
		Y.applyUpdate(second.mirror.doc, Y.encodeStateAsUpdate(hostile));
		await second.mirror.settled();
		const listing = await second.vault.list('element:');
		expect(listing.records.map((r) => r.key)).toEqual(['element:email']);
		expect(listing.unreadable.map((r) => r.id)).toEqual([id]);
	});
});
