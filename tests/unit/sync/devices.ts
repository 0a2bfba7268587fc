/**
 * Simulated devices for sync tests: each has its own vault database, sync database and mirror,
 * and writes rows the way the vault does (sealed with XChaCha20-Poly1305, then a notice to the
 * mirror). Devices exchange Yjs updates by hand, in whatever order a test wants, and scans
 * through their ScanTransfers joined by an in-memory link (exchange() does both).
 */
import 'fake-indexeddb/auto';
import * as Y from 'yjs';
import { open, seal } from '$lib/crypto/aead';
import { utf8Decode, utf8Encode } from '$lib/crypto/bytes';
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import type { SealedRow } from '$lib/vault/types';
import { DocMirror } from '$lib/sync/doc-mirror';
import { ScanTransfer, type ScanLink, type TransferEvents } from '$lib/sync/scan-transfer';

const TEST_KEY = new Uint8Array(32).fill(7);
let databaseCounter = 0;

export interface Device {
	name: string;
	vaultDb: PapiersDb;
	syncDbName: string;
	mirror: DocMirror;
	transfer: ScanTransfer;
	/** What this device's transfer observed. */
	events: Required<TransferEvents> & { log: string[] };
}

function recordingEvents(): Device['events'] {
	const log: string[] = [];
	return {
		log,
		refused: (reason, peer) => log.push(`refused ${reason} from ${peer}`),
		corrupt: (address, peer) => log.push(`corrupt ${address.slice(0, 8)} from ${peer}`),
		received: (address, peer) => log.push(`received ${address.slice(0, 8)} from ${peer}`),
		chunk: () => {},
		declined: (address, peer) => log.push(`declined ${address.slice(0, 8)} by ${peer}`)
	};
}

function startTransfer(device: Pick<Device, 'mirror' | 'vaultDb' | 'events'>): ScanTransfer {
	return new ScanTransfer({
		mirror: device.mirror,
		vaultDb: device.vaultDb,
		pieces: device.mirror.pieces,
		events: device.events,
		// A peer that stops answering is given up on in a second, not twenty.
		timing: { retryMs: 200, stallMs: 1_000 }
	});
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
	const events = recordingEvents();
	const transfer = startTransfer({ mirror, vaultDb, events });
	return { name, vaultDb, syncDbName, mirror, transfer, events };
}

/** Closes the mirror and opens a new one on the same databases, as an app restart does. */
export async function restart(device: Device, vaultTag = 'vault-1'): Promise<void> {
	await device.transfer.stop();
	await device.mirror.close();
	device.mirror = await DocMirror.open({
		vaultDb: device.vaultDb,
		vaultTag,
		syncDbName: device.syncDbName
	});
	device.transfer = startTransfer(device);
}

/**
 * A link from one device's transfer to another's: messages are delivered on a later task, in
 * order, as a data channel would; `intercept` may change, drop (null) or count them on the way.
 */
/** What the transfer helpers need of a device. */
export interface TransferPeer {
	name: string;
	mirror: DocMirror;
	transfer: ScanTransfer;
}

export function linkOf(
	from: TransferPeer,
	to: TransferPeer,
	intercept: (message: Uint8Array) => Uint8Array | null = (message) => message
): ScanLink & { close(): void } {
	let open = true;
	return {
		peerId: to.name,
		send(message) {
			if (!open) return Promise.resolve(false);
			const copy = message.slice();
			return new Promise((resolve) =>
				setTimeout(() => {
					const delivered = open ? intercept(copy) : null;
					if (delivered) to.transfer.receive(from.name, delivered);
					resolve(open);
				}, 0)
			);
		},
		close() {
			open = false;
		}
	};
}

/** Joins two devices' transfers both ways; returns a function that cuts the link. */
export function connectTransfers(
	a: TransferPeer,
	b: TransferPeer,
	intercept?: {
		ab?: (m: Uint8Array) => Uint8Array | null;
		ba?: (m: Uint8Array) => Uint8Array | null;
	}
): () => void {
	const ab = linkOf(a, b, intercept?.ab);
	const ba = linkOf(b, a, intercept?.ba);
	a.transfer.addLink(ab);
	b.transfer.addLink(ba);
	return () => {
		ab.close();
		ba.close();
		a.transfer.removeLink(b.name);
		b.transfer.removeLink(a.name);
	};
}

/** Waits (bounded, generously: fake-indexeddb is slow) until neither device wants a scan. */
export async function scansSettled(...devices: TransferPeer[]): Promise<void> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		await Promise.all(devices.map((device) => device.mirror.settled()));
		const busy = devices.some(
			(device) => device.mirror.wantedScans().length > 0 || device.transfer.inFlight > 0
		);
		if (!busy || Date.now() > deadline) return;
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
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
	if (a.mirror.wantedScans().length === 0 && b.mirror.wantedScans().length === 0) return;
	const cut = connectTransfers(a, b);
	try {
		await scansSettled(a, b);
	} finally {
		cut();
	}
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
		await device.transfer.stop();
		await device.mirror.close();
		device.vaultDb.close();
	}
}
