/**
 * Scans travel apart from the sync document (scan-transfer.ts): content-addressed, in chunks,
 * Dexie to Dexie, checked by hash, resumed after a drop, fetched only when missing; and the
 * attacks of a peer of the vault that runs modified code: bytes that do not match the hash,
 * oversized chunks, chunks beyond the scan's size or never asked for, and requests for scans it
 * should not know of.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toHex } from '$lib/crypto/bytes';
import { LEGACY_SCANS_MAP, DOC_MAPS } from '$lib/sync/doc-versions';
import { hashSealed } from '$lib/sync/scan-ref';
import { CHUNK_BYTES, decodeTransfer, encodeTransfer, KIND } from '$lib/sync/scan-transfer';
import { encodeVersion } from '$lib/sync/version-value';
import type { SealedRow } from '$lib/vault/types';
import {
	closeAll,
	connectTransfers,
	createDevice,
	exchange,
	openText,
	restart,
	scansSettled,
	sealText,
	send,
	type Device
} from './devices';

const opened: Device[] = [];
async function device(name: string): Promise<Device> {
	const created = await createDevice(name);
	opened.push(created);
	return created;
}

afterEach(async () => {
	await closeAll(...opened.splice(0));
});

/** A sealed scan of about `bytes` bytes, stored and announced as the vault does. */
async function saveScan(on: Device, id: string, bytes: number, fill = 'x'): Promise<SealedRow> {
	const row = sealText(id, `${id}:${fill.repeat(bytes)}`);
	await on.vaultDb.scans.put(row);
	on.mirror.scanSaved(row);
	await on.mirror.settled();
	return row;
}

/** A peer that only records what it is sent; `reply` lets a test answer as that peer. */
function hostilePeer(target: Device, name = 'evil') {
	const received: Uint8Array[] = [];
	target.transfer.addLink({
		peerId: name,
		send: async (message) => {
			received.push(message.slice());
			return true;
		}
	});
	return {
		received,
		decoded: () => received.map((message) => decodeTransfer(message)!),
		say: (message: Uint8Array) => target.transfer.receive(name, message)
	};
}

/** Waits for a condition (bounded, generously: fake-indexeddb on a loaded machine). */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
	const deadline = Date.now() + 30_000;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

function address(row: SealedRow): string {
	return toHex(hashSealed(row.ct));
}

/** Every byte of the sync database's stored document updates. */
async function storedUpdates(on: Device): Promise<Uint8Array> {
	await on.mirror.settled();
	const db = new Dexie(on.syncDbName);
	await db.open();
	const rows = (await db.table('updates').toArray()) as { update: Uint8Array }[];
	db.close();
	return Buffer.concat(rows.map((row) => row.update));
}

/** Whether the device's store holds exactly these sealed bytes (toEqual is slow on megabytes). */
async function holds(on: Device, id: string, row: SealedRow): Promise<boolean> {
	const stored = await on.vaultDb.scans.get(id);
	return !!stored && Buffer.from(stored.ct).equals(Buffer.from(row.ct));
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
	return Buffer.from(haystack).includes(Buffer.from(needle));
}

describe('scans apart from the document', () => {
	it('carries a 3 MB scan Dexie to Dexie; the document and its stored updates hold no scan bytes', async () => {
		const a = await device('a');
		const b = await device('b');
		const scan = await saveScan(a, 'scan-1', 3 * 1024 * 1024);
		await exchange(a, b);
		expect(await holds(b, 'scan-1', scan)).toBe(true);
		const state = Y.encodeStateAsUpdate(a.mirror.doc);
		expect(state.length).toBeLessThan(1024);
		const sample = scan.ct.subarray(1000, 1064);
		expect(contains(await storedUpdates(a), sample)).toBe(false);
		expect(contains(await storedUpdates(b), sample)).toBe(false);
		// Pieces are gone once the scan is in the vault.
		expect(await b.mirror.pieces.pieceAddresses()).toEqual([]);
	});

	it('fetches only the scan that is missing, after months apart', async () => {
		const a = await device('a');
		const b = await device('b');
		for (let i = 0; i < 4; i++) await saveScan(a, `old-${i}`, 200_000);
		await exchange(a, b);
		await saveScan(a, 'new', 200_000);
		send(a, b);
		send(b, a);
		let crossed = 0;
		const cut = connectTransfers(a, b, {
			ab: (message) => {
				crossed += message.length;
				return message;
			},
			ba: (message) => {
				crossed += message.length;
				return message;
			}
		});
		await scansSettled(a, b);
		cut();
		expect(await b.vaultDb.scans.count()).toBe(5);
		const newScan = (await a.vaultDb.scans.get('new'))!;
		// The new scan, its chunk headers and one request: no other scan crossed.
		expect(crossed).toBeGreaterThanOrEqual(newScan.ct.length);
		expect(crossed).toBeLessThan(newScan.ct.length + 2048);
	});

	it('resumes after the link drops, without resending what arrived', async () => {
		const a = await device('a');
		const b = await device('b');
		const scan = await saveScan(a, 'big', 30 * CHUNK_BYTES);
		send(a, b);
		await b.mirror.settled();
		let firstLink = 0;
		let chunks = 0;
		let cut: () => void = () => {};
		const dropped = new Promise<void>((resolve) => {
			cut = connectTransfers(a, b, {
				ab: (message) => {
					if (++chunks > 12) return null; // the link is gone: nothing more arrives
					firstLink += message.length;
					if (chunks === 12) resolve();
					return message;
				}
			});
		});
		await dropped;
		cut();
		await until(
			async () => (await b.mirror.pieces.receivedBytes(address(scan))) === 12 * CHUNK_BYTES,
			'the received part kept'
		);
		// As after a restart of the app.
		await restart(b);
		let secondLink = 0;
		const cutAgain = connectTransfers(a, b, {
			ab: (message) => {
				secondLink += message.length;
				return message;
			}
		});
		await scansSettled(a, b);
		cutAgain();
		expect(await holds(b, 'big', scan)).toBe(true);
		const header = 38;
		expect(firstLink).toBe(12 * (CHUNK_BYTES + header));
		const rest = scan.ct.length - 12 * CHUNK_BYTES;
		expect(secondLink).toBe(rest + Math.ceil(rest / CHUNK_BYTES) * header);
	});

	it('moves whole scans out of a document written before, into the store, on open', async () => {
		const b = await device('b');
		const legacyScan = sealText('legacy-scan', 'old scan '.repeat(20_000));
		// What a device running earlier code kept: the whole sealed scan in the 'scans' map.
		const old = new Y.Doc();
		old.getMap<Uint8Array>(LEGACY_SCANS_MAP).set('legacy-scan@oldslot', encodeVersion(legacyScan));
		Y.applyUpdate(b.mirror.doc, Y.encodeStateAsUpdate(old), 'peer');
		await b.mirror.settled();
		await restart(b);
		expect(await holds(b, 'legacy-scan', legacyScan)).toBe(true);
		expect(b.mirror.doc.getMap(LEGACY_SCANS_MAP).size).toBe(0);
		expect(b.mirror.doc.getMap(DOC_MAPS.scans).size).toBe(1);
		expect(contains(await storedUpdates(b), legacyScan.ct.subarray(500, 564))).toBe(false);
		// And it reaches a new device the new way.
		const c = await device('c');
		await exchange(b, c);
		expect(openText((await c.vaultDb.scans.get('legacy-scan'))!)).toBe('old scan '.repeat(20_000));
	});
});

describe('a vault whose stored document holds whole scans (written before)', () => {
	it('moves them into the store at unlock, and the document keeps references only', async () => {
		const b = await device('b');
		const legacyScan = sealText('stored-legacy', 'stored old scan '.repeat(10_000));
		// A scan the store lacks, and one it holds: both only in the stored document.
		const heldScan = sealText('held-legacy', 'held old scan '.repeat(10_000));
		await b.vaultDb.scans.put(heldScan);
		await b.transfer.stop();
		await b.mirror.close();
		const old = new Y.Doc();
		const legacy = old.getMap<Uint8Array>(LEGACY_SCANS_MAP);
		legacy.set('stored-legacy@oldslot', encodeVersion(legacyScan));
		legacy.set('held-legacy@oldslot', encodeVersion(heldScan));
		const db = new Dexie(b.syncDbName);
		await db.open();
		await db.table('updates').add({ update: Y.encodeStateAsUpdateV2(old) });
		db.close();
		await restart(b);
		expect(await holds(b, 'stored-legacy', legacyScan)).toBe(true);
		expect(await holds(b, 'held-legacy', heldScan)).toBe(true);
		expect(b.mirror.doc.getMap(LEGACY_SCANS_MAP).size).toBe(0);
		expect(
			[...b.mirror.doc.getMap(DOC_MAPS.scans).keys()].map((key) => key.split('@')[0]).sort()
		).toEqual(['held-legacy', 'stored-legacy']);
		const stored = await storedUpdates(b);
		expect(contains(stored, legacyScan.ct.subarray(500, 564))).toBe(false);
		expect(contains(stored, heldScan.ct.subarray(500, 564))).toBe(false);
	});
});

describe('a peer of the vault running modified code', () => {
	it('sends bytes that do not match the hash: refused, nothing stored, fetched again from an honest peer', async () => {
		const a = await device('a');
		const b = await device('b');
		const scan = await saveScan(a, 'scan-1', 5 * CHUNK_BYTES);
		send(a, b);
		await b.mirror.settled();
		const evil = hostilePeer(b);
		await until(() => evil.decoded().some((m) => m.kind === KIND.want), 'a request to evil');
		const want = evil.decoded()[0];
		const forged = scan.ct.slice();
		forged[forged.length - 100] ^= 1;
		for (let at = 0; at < forged.length; at += CHUNK_BYTES) {
			evil.say(encodeTransfer(KIND.chunk, want.address, at, forged.subarray(at, at + CHUNK_BYTES)));
		}
		await until(() => b.events.log.some((line) => line.startsWith('corrupt')), 'the refusal');
		expect(await b.vaultDb.scans.get('scan-1')).toBeUndefined();
		const cut = connectTransfers(a, b);
		await scansSettled(a, b);
		cut();
		expect(await holds(b, 'scan-1', scan)).toBe(true);
	});

	it('corrupts a scan in transit: refused, and fetched again from the same peer', async () => {
		const a = await device('a');
		const b = await device('b');
		const scan = await saveScan(a, 'scan-1', 3 * CHUNK_BYTES);
		send(a, b);
		await b.mirror.settled();
		let corrupted = 0;
		const cut = connectTransfers(a, b, {
			ab: (message) => {
				const decoded = decodeTransfer(message);
				if (decoded?.kind === KIND.chunk && decoded.offset === CHUNK_BYTES && corrupted === 0) {
					corrupted++;
					const copy = message.slice();
					copy[copy.length - 1] ^= 0x40;
					return copy;
				}
				return message;
			}
		});
		await scansSettled(a, b);
		cut();
		expect(corrupted).toBe(1);
		expect(b.events.log.filter((line) => line.startsWith('corrupt'))).toHaveLength(1);
		expect(await holds(b, 'scan-1', scan)).toBe(true);
	});

	it('sends an oversized chunk: refused, none of it kept', async () => {
		const a = await device('a');
		const b = await device('b');
		const scan = await saveScan(a, 'scan-1', 4 * CHUNK_BYTES);
		send(a, b);
		await b.mirror.settled();
		const evil = hostilePeer(b);
		await until(() => evil.decoded().some((m) => m.kind === KIND.want), 'a request to evil');
		const { address: wanted } = evil.decoded()[0];
		let accepted = 0;
		b.events.chunk = (_address, bytes) => (accepted += bytes);
		evil.say(encodeTransfer(KIND.chunk, wanted, 0, scan.ct.subarray(0, 3 * CHUNK_BYTES)));
		await until(() => b.events.log.some((line) => line.includes('oversized')), 'the refusal');
		expect(accepted).toBe(0);
		await b.mirror.settled();
		expect(await b.mirror.pieces.receivedBytes(wanted)).toBe(0);
	});

	it('sends chunks beyond the scan’s size or at offsets never reached: refused', async () => {
		const a = await device('a');
		const b = await device('b');
		const scan = await saveScan(a, 'scan-1', 2 * CHUNK_BYTES);
		send(a, b);
		await b.mirror.settled();
		const size = scan.ct.length;
		const attempts: [number, Uint8Array][] = [
			[size, new Uint8Array(100)], // starts at the end
			[0x7fff_0000, new Uint8Array(100)], // far beyond
			[CHUNK_BYTES, new Uint8Array(100)] // skips the start
		];
		for (const [offset, bytes] of attempts) {
			const evil = hostilePeer(b, `evil-${offset}`);
			await until(
				() => evil.decoded().some((m) => m.kind === KIND.want),
				`a request to evil-${offset}`
			);
			evil.say(encodeTransfer(KIND.chunk, evil.decoded()[0].address, offset, bytes));
			b.transfer.removeLink(`evil-${offset}`);
		}
		// A chunk that starts in order and runs past the end.
		const evil = hostilePeer(b, 'evil-tail');
		await until(() => evil.decoded().some((m) => m.kind === KIND.want), 'a request');
		const { address: wanted } = evil.decoded()[0];
		for (let at = 0; at < size - CHUNK_BYTES; at += CHUNK_BYTES) {
			evil.say(encodeTransfer(KIND.chunk, wanted, at, scan.ct.subarray(at, at + CHUNK_BYTES)));
		}
		evil.say(
			encodeTransfer(
				KIND.chunk,
				wanted,
				size - CHUNK_BYTES,
				new Uint8Array(CHUNK_BYTES + 1).subarray(0, CHUNK_BYTES)
			)
		);
		evil.say(encodeTransfer(KIND.chunk, wanted, size, new Uint8Array(10)));
		const refusals = () => b.events.log.filter((line) => line.startsWith('refused'));
		await until(() => refusals().length >= 4, 'four refusals');
		expect(refusals().slice(0, 3)).toEqual([
			'refused beyond-size from evil-' + size,
			'refused beyond-size from evil-' + 0x7fff_0000,
			'refused out-of-order from evil-' + CHUNK_BYTES
		]);
		await b.mirror.settled();
		expect(await b.vaultDb.scans.get('scan-1')).toBeUndefined();
	});

	it('sends chunks nobody asked for: refused, nothing stored', async () => {
		const b = await device('b');
		const evil = hostilePeer(b);
		const planted = sealText('planted', 'a scan nobody named');
		evil.say(encodeTransfer(KIND.chunk, address(planted), 0, planted.ct));
		evil.say(new Uint8Array([0x64, 9, 1, 2, 3]));
		expect(b.events.log).toEqual(['refused unrequested from evil', 'refused malformed from evil']);
		await b.mirror.settled();
		expect(await b.vaultDb.scans.count()).toBe(0);
		expect(await b.mirror.pieces.pieceAddresses()).toEqual([]);
	});

	it('asks for scans it should not know of: declined, no byte sent', async () => {
		const a = await device('a');
		const kept = await saveScan(a, 'kept', 100_000);
		const deleted = await saveScan(a, 'deleted', 100_000);
		await a.vaultDb.scans.delete('deleted');
		a.mirror.scanDeleted('deleted');
		// A scan the document names that this device does not hold (yet).
		const b = await device('b');
		const elsewhere = await saveScan(b, 'elsewhere', 100_000);
		send(b, a);
		await a.mirror.settled();
		const answers: Uint8Array[] = [];
		a.transfer.addLink({
			peerId: 'evil',
			send: async (message) => {
				answers.push(message.slice());
				return true;
			}
		});
		// a asks evil for the scan it lacks; only answers count below.
		const replies = () =>
			answers.map((message) => decodeTransfer(message)!).filter((m) => m.kind !== KIND.want);
		const asked = [
			toHex(crypto.getRandomValues(new Uint8Array(32))), // an address nobody named
			address(deleted), // a scan deleted since
			address(elsewhere), // named, not held here
			'00'.repeat(32)
		];
		for (const wanted of asked) a.transfer.receive('evil', encodeTransfer(KIND.want, wanted, 0));
		a.transfer.receive('evil', encodeTransfer(KIND.want, address(kept), 200_000_000)); // beyond
		await until(() => replies().length >= 5, 'five answers');
		expect(replies().map((m) => [m.kind, m.address])).toEqual(
			[...asked, address(kept)].map((wanted) => [KIND.none, wanted])
		);
		// The scan it may have is sent, whole.
		a.transfer.receive('evil', encodeTransfer(KIND.want, address(kept), 0));
		await until(
			() =>
				replies().filter((m) => m.kind === KIND.chunk).length ===
				Math.ceil(kept.ct.length / CHUNK_BYTES),
			'the kept scan'
		);
	});
});
