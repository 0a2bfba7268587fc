/**
 * Simulated devices for sync tests: each has its own vault database, sync database and mirror,
 * and writes rows the way the vault does (sealed with XChaCha20-Poly1305, then a notice to the
 * mirror). Devices exchange Yjs updates by hand, in whatever order a test wants.
 */
import 'fake-indexeddb/auto';
import * as Y from 'yjs';
import { open, seal } from '$lib/crypto/aead';
import { utf8Decode, utf8Encode } from '$lib/crypto/bytes';
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import type { SealedRow } from '$lib/vault/types';
import { DocMirror } from '$lib/sync/doc-mirror';

const TEST_KEY = new Uint8Array(32).fill(7);
let databaseCounter = 0;

export interface Device {
	name: string;
	vaultDb: PapiersDb;
	syncDbName: string;
	mirror: DocMirror;
}

export function sealText(id: string, text: string, at = Date.now()): SealedRow {
	return { id, v: 1, at, ct: seal({ key: TEST_KEY, plaintext: utf8Encode(text) }) };
}

export function openText(row: SealedRow): string {
	return utf8Decode(open({ key: TEST_KEY, sealed: row.ct }));
}

export async function createDevice(name: string, vaultTag = 'vault-1'): Promise<Device> {
	databaseCounter += 1;
	const vaultDb = openDatabase(`vault-${name}-${databaseCounter}`);
	const syncDbName = `sync-${name}-${databaseCounter}`;
	const mirror = await DocMirror.open({ vaultDb, vaultTag, syncDbName });
	return { name, vaultDb, syncDbName, mirror };
}

/** Closes the mirror and opens a new one on the same databases, as an app restart does. */
export async function restart(device: Device, vaultTag = 'vault-1'): Promise<void> {
	await device.mirror.close();
	device.mirror = await DocMirror.open({
		vaultDb: device.vaultDb,
		vaultTag,
		syncDbName: device.syncDbName
	});
}

/** What the vault does on put: one Dexie write, then the notice. */
export async function saveText(device: Device, id: string, text: string): Promise<SealedRow> {
	const row = sealText(id, text);
	await device.vaultDb.records.put(row);
	device.mirror.recordSaved(row);
	return row;
}

export async function deleteRecord(device: Device, id: string): Promise<void> {
	await device.vaultDb.records.delete(id);
	device.mirror.recordDeleted(id);
}

/** id -> plaintext of every record in the device's vault database. */
export async function storedTexts(device: Device): Promise<Record<string, string>> {
	await device.mirror.settled();
	const rows = await device.vaultDb.records.toArray();
	return Object.fromEntries(rows.map((row) => [row.id, openText(row)]).sort());
}

/** Sends from one device what the other lacks, as the y-webrtc sync protocol would. */
export function send(from: Device, to: Device): void {
	const missing = Y.encodeStateAsUpdate(from.mirror.doc, Y.encodeStateVector(to.mirror.doc));
	Y.applyUpdate(to.mirror.doc, missing, 'peer');
}

export async function exchange(a: Device, b: Device): Promise<void> {
	send(a, b);
	send(b, a);
	await Promise.all([a.mirror.settled(), b.mirror.settled()]);
}

export function conflictTexts(device: Device): Record<string, string[]> {
	return Object.fromEntries(
		device.mirror
			.listConflicts()
			.map((conflict) => [conflict.id, conflict.versions.map(openText).sort()])
	);
}

export async function closeAll(...devices: Device[]): Promise<void> {
	for (const device of devices) {
		await device.mirror.close();
		device.vaultDb.close();
	}
}
