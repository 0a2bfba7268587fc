import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { LOCAL_ORIGIN } from '$lib/sync/doc-mirror';
import {
	closeAll,
	conflictTexts,
	createDevice,
	deleteRecord,
	exchange,
	openText,
	restart,
	saveText,
	sealText,
	send,
	storedTexts,
	type Device
} from './devices';

const opened: Device[] = [];
async function device(name: string, vaultTag?: string): Promise<Device> {
	const created = await createDevice(name, vaultTag);
	opened.push(created);
	return created;
}

afterEach(async () => {
	await closeAll(...opened.splice(0));
});

describe('mirror between two devices', () => {
	it('carries a save to the other device’s store, and does not echo it back', async () => {
		const a = await device('a');
		const b = await device('b');
		await saveText(a, 'r1', 'passport of A');
		let localUpdatesOnB = 0;
		b.mirror.doc.on('update', (_update, origin) => {
			if (origin === LOCAL_ORIGIN) localUpdatesOnB += 1;
		});
		await exchange(a, b);
		expect(await storedTexts(b)).toEqual({ r1: 'passport of A' });
		expect(localUpdatesOnB).toBe(0);
		const stateOfA = Y.encodeStateVector(a.mirror.doc);
		send(b, a);
		expect(Y.encodeStateVector(a.mirror.doc)).toEqual(stateOfA);
	});

	it('takes a later edit made after seeing the first one, without a conflict', async () => {
		const a = await device('a');
		const b = await device('b');
		await saveText(a, 'r1', 'first');
		await exchange(a, b);
		await saveText(b, 'r1', 'second, made on B');
		await exchange(a, b);
		expect(await storedTexts(a)).toEqual({ r1: 'second, made on B' });
		expect(a.mirror.listConflicts()).toEqual([]);
		expect(b.mirror.listConflicts()).toEqual([]);
	});

	it('keeps both concurrent edits, lists them on both devices, and settles them when resolved', async () => {
		const a = await device('a');
		const b = await device('b');
		await saveText(a, 'r1', 'base');
		await exchange(a, b);
		await saveText(a, 'r1', 'edit on A');
		await saveText(b, 'r1', 'edit on B');
		await exchange(a, b);
		const expected = { r1: ['edit on A', 'edit on B'] };
		expect(conflictTexts(a)).toEqual(expected);
		expect(conflictTexts(b)).toEqual(expected);
		// Each store keeps the version it had while the person decides.
		expect(await storedTexts(a)).toEqual({ r1: 'edit on A' });
		expect(await storedTexts(b)).toEqual({ r1: 'edit on B' });

		const [conflict] = a.mirror.listConflicts();
		const chosen = conflict.versions.find((row) => openText(row) === 'edit on B')!;
		await a.mirror.resolveConflict({ table: 'records', id: 'r1', chosen });
		await exchange(a, b);
		expect(a.mirror.listConflicts()).toEqual([]);
		expect(b.mirror.listConflicts()).toEqual([]);
		expect(await storedTexts(a)).toEqual({ r1: 'edit on B' });
		expect(await storedTexts(b)).toEqual({ r1: 'edit on B' });
	});

	it('keeps a conflict open when one side edits again without resolving it', async () => {
		const a = await device('a');
		const b = await device('b');
		await saveText(a, 'r1', 'from A');
		await saveText(b, 'r1', 'from B'); // both create the same record offline
		await exchange(a, b);
		expect(conflictTexts(a)).toEqual({ r1: ['from A', 'from B'] });
		await saveText(a, 'r1', 'A edits its own version');
		await exchange(a, b);
		expect(conflictTexts(b)).toEqual({ r1: ['A edits its own version', 'from B'] });
	});

	it('propagates a delete, also to a device that never saw the record', async () => {
		const a = await device('a');
		const b = await device('b');
		await saveText(a, 'r1', 'to be deleted');
		await saveText(a, 'r2', 'stays');
		await exchange(a, b);
		await deleteRecord(b, 'r1');
		await exchange(a, b);
		expect(await storedTexts(a)).toEqual({ r2: 'stays' });
		const late = await device('late');
		await exchange(a, late);
		expect(await storedTexts(late)).toEqual({ r2: 'stays' });
	});

	it('keeps an edit made concurrently with a delete, on both devices, in either order', async () => {
		for (const deliverDeleteFirst of [true, false]) {
			const a = await device('a');
			const b = await device('b');
			await saveText(a, 'r1', 'original');
			await exchange(a, b);
			await deleteRecord(a, 'r1');
			await saveText(b, 'r1', 'edited on B while A deleted');
			if (deliverDeleteFirst) send(a, b);
			else send(b, a);
			await Promise.all([a.mirror.settled(), b.mirror.settled()]);
			await exchange(a, b);
			expect(await storedTexts(a)).toEqual({ r1: 'edited on B while A deleted' });
			expect(await storedTexts(b)).toEqual({ r1: 'edited on B while A deleted' });
			expect(a.mirror.listConflicts()).toEqual([]);
		}
	});

	it('deletes only the version it saw: a remote edit not yet in the store survives', async () => {
		const a = await device('a');
		const b = await device('b');
		await saveText(a, 'r1', 'original');
		await exchange(a, b);
		await saveText(b, 'r1', 'edited on B');
		await a.vaultDb.records.delete('r1');
		// B's edit reaches A's document in the same tick as A's delete notice, before A's store.
		send(b, a);
		a.mirror.recordDeleted('r1');
		await exchange(a, b);
		expect(await storedTexts(a)).toEqual({ r1: 'edited on B' });
		expect(await storedTexts(b)).toEqual({ r1: 'edited on B' });
	});

	it('deleting one side of a conflict leaves the other version', async () => {
		const a = await device('a');
		const b = await device('b');
		await saveText(a, 'r1', 'from A');
		await saveText(b, 'r1', 'from B');
		await exchange(a, b);
		await deleteRecord(a, 'r1');
		await exchange(a, b);
		expect(await storedTexts(a)).toEqual({ r1: 'from B' });
		expect(a.mirror.listConflicts()).toEqual([]);
		await a.mirror.resolveConflict({ id: 'r1', chosen: null });
		await exchange(a, b);
		expect(await storedTexts(b)).toEqual({});
	});

	it('mirrors scans, megabytes included', async () => {
		const a = await device('a');
		const b = await device('b');
		const scan = sealText('scan-1', 'x'.repeat(3 * 1024 * 1024));
		await a.vaultDb.scans.put(scan);
		a.mirror.scanSaved(scan);
		await exchange(a, b);
		const received = await b.vaultDb.scans.get('scan-1');
		expect(received && openText(received).length).toBe(3 * 1024 * 1024);
		await b.vaultDb.scans.delete('scan-1');
		b.mirror.scanDeleted('scan-1');
		await exchange(a, b);
		expect(await a.vaultDb.scans.count()).toBe(0);
	});

	it('ignores a version it cannot read instead of failing the rest', async () => {
		const a = await device('a');
		const b = await device('b');
		await saveText(a, 'r1', 'fine');
		const hostile = new Y.Doc();
		hostile.getMap('records').set('r2@zz', 'not a version' as unknown as Uint8Array);
		hostile.getMap('records').set('no-slot-separator', new Uint8Array([1, 2, 3]));
		Y.applyUpdate(b.mirror.doc, Y.encodeStateAsUpdate(hostile), 'peer');
		await exchange(a, b);
		expect(await storedTexts(b)).toEqual({ r1: 'fine' });
	});
});

describe('three devices editing offline', () => {
	type Step = [number, number];
	const exchangeOrders: Step[][] = [
		[
			[0, 1],
			[1, 2],
			[0, 2]
		],
		[
			[2, 1],
			[0, 2],
			[1, 0]
		],
		[
			[1, 2],
			[2, 0],
			[0, 1]
		],
		[
			[0, 2],
			[0, 1],
			[1, 2]
		]
	];

	async function offlineScenario(): Promise<Device[]> {
		const devices = [await device('a'), await device('b'), await device('c')];
		const [a, b, c] = devices;
		await saveText(a, 'shared', 'v0');
		await saveText(a, 'doomed', 'to delete');
		await exchange(a, b);
		await exchange(b, c);
		// Offline from here: everyone edits 'shared', each adds a record of their own,
		// C deletes 'doomed' while B edits it.
		await saveText(a, 'shared', 'A1');
		await saveText(a, 'shared', 'A2');
		await saveText(b, 'shared', 'B1');
		await saveText(c, 'shared', 'C1');
		await saveText(a, 'own-a', 'only A');
		await saveText(b, 'own-b', 'only B');
		await saveText(c, 'own-c', 'only C');
		await deleteRecord(c, 'doomed');
		await saveText(b, 'doomed', 'B rescued it');
		return devices;
	}

	it.each(exchangeOrders.map((order, index) => [index, order] as const))(
		'converges with nothing lost, exchange order %i',
		async (_index, order) => {
			const devices = await offlineScenario();
			for (const [from, to] of order) await exchange(devices[from], devices[to]);
			// One more round so every update has reached everyone.
			for (const [from, to] of order) await exchange(devices[from], devices[to]);

			const conflicts = devices.map(conflictTexts);
			for (const seen of conflicts) {
				expect(seen).toEqual({ shared: ['A2', 'B1', 'C1'] });
			}
			const stores = await Promise.all(devices.map(storedTexts));
			for (const store of stores) {
				expect(Object.keys(store)).toEqual(['doomed', 'own-a', 'own-b', 'own-c', 'shared']);
				expect(store.doomed).toBe('B rescued it');
				expect(['A2', 'B1', 'C1']).toContain(store.shared);
			}
			const states = devices.map((d) => Y.encodeStateVector(d.mirror.doc));
			expect(states[1]).toEqual(states[0]);
			expect(states[2]).toEqual(states[0]);
		}
	);

	it('converges when raw updates arrive one by one in shuffled orders', async () => {
		for (const seed of [1, 2, 3]) {
			const names = ['a', 'b', 'c'];
			const devices = await Promise.all(names.map((name) => device(name)));
			const streams: Uint8Array[][] = devices.map(() => []);
			devices.forEach((d, index) =>
				d.mirror.doc.on('update', (update: Uint8Array, origin: unknown) => {
					if (origin === LOCAL_ORIGIN) streams[index].push(update);
				})
			);
			await saveText(devices[0], 'shared', 'A');
			await saveText(devices[1], 'shared', 'B');
			await saveText(devices[2], 'shared', 'C');
			await saveText(devices[2], 'shared', 'C again');
			await deleteRecord(devices[2], 'shared');
			await saveText(devices[1], 'other', 'B other');

			let state = seed;
			const random = () => (state = (state * 48271) % 2147483647) / 2147483647;
			for (const [index, target] of devices.entries()) {
				const incoming = streams.filter((_, from) => from !== index).flat();
				incoming.sort(() => random() - 0.5);
				for (const update of incoming) Y.applyUpdate(target.mirror.doc, update, 'peer');
			}
			const stores = await Promise.all(devices.map(storedTexts));
			for (const store of stores) expect(store.other).toBe('B other');
			for (const d of devices) expect(conflictTexts(d)).toEqual({ shared: ['A', 'B'] });
			await closeAll(...opened.splice(0));
		}
	});
});

describe('sync state across restarts', () => {
	it('reloads the document instead of resending it, and creates no duplicate versions', async () => {
		const a = await device('a');
		const b = await device('b');
		for (let i = 0; i < 20; i++) await saveText(a, `r${i}`, `record ${i}`);
		await exchange(a, b);
		const before = Y.encodeStateVector(b.mirror.doc);
		await restart(b);
		expect(Y.encodeStateVector(b.mirror.doc)).toEqual(before);
		// What A would send B after the restart: nothing but an empty update.
		const missing = Y.encodeStateAsUpdate(a.mirror.doc, Y.encodeStateVector(b.mirror.doc));
		expect(missing.length).toBeLessThanOrEqual(2);
		const reply = Y.encodeStateAsUpdate(b.mirror.doc, Y.encodeStateVector(a.mirror.doc));
		expect(reply.length).toBeLessThanOrEqual(2);
		expect(b.mirror.listConflicts()).toEqual([]);
	});

	it('picks up saves and deletes made while sync was off', async () => {
		const a = await device('a');
		const b = await device('b');
		await saveText(a, 'kept', 'kept');
		await saveText(a, 'removed', 'removed');
		await exchange(a, b);
		await a.mirror.close();
		// The vault wrote with no mirror listening (sync off, or the tab died before the notice).
		await a.vaultDb.records.put(sealText('kept', 'changed offline'));
		await a.vaultDb.records.put(sealText('new', 'added offline'));
		await a.vaultDb.records.delete('removed');
		await restart(a);
		await exchange(a, b);
		expect(await storedTexts(b)).toEqual({ kept: 'changed offline', new: 'added offline' });
		expect(b.mirror.listConflicts()).toEqual([]);
		// What reconciliation wrote to the document was stored too: another restart changes nothing.
		const state = Y.encodeStateVector(a.mirror.doc);
		await restart(a);
		expect(Y.encodeStateVector(a.mirror.doc)).toEqual(state);
		expect(await storedTexts(a)).toEqual({ kept: 'changed offline', new: 'added offline' });
	});

	it('writes into the store a change that reached the sync database but not the store', async () => {
		const a = await device('a');
		const b = await device('b');
		await saveText(a, 'r1', 'one');
		await exchange(a, b);
		await b.mirror.close();
		await saveText(a, 'r1', 'two');
		// B's sync database gets A's update (as another tab of B would store it), its store does not.
		const { SyncStore } = await import('$lib/sync/sync-store');
		const { store } = await SyncStore.open({ name: b.syncDbName, vaultTag: 'vault-1' });
		store.queueUpdate(Y.encodeStateAsUpdateV2(a.mirror.doc));
		await store.close();
		expect(openText((await b.vaultDb.records.get('r1'))!)).toBe('one');
		await restart(b);
		expect(await storedTexts(b)).toEqual({ r1: 'two' });
		expect(b.mirror.listConflicts()).toEqual([]);
	});

	it('discards sync state that belongs to another vault', async () => {
		const a = await device('a');
		await saveText(a, 'r1', 'old vault');
		await a.mirror.settled();
		await a.vaultDb.records.clear();
		await restart(a, 'vault-2');
		expect(a.mirror.doc.getMap('records').size).toBe(0);
		expect(await storedTexts(a)).toEqual({});
	});
});
