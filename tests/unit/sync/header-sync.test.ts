/**
 * A password change reaches the other device through the sync document as a pending header: its
 * open session keeps working, and the new password takes effect there only once typed there (the
 * password is the only authority). Concurrent changes end with one password on both devices.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import { importReceivedHeader } from '$lib/vault/import-header';
import { WrongPasswordError } from '$lib/vault/types';
import { createVault, unlockVault, type UnlockedVault } from '$lib/vault/vault';
import { DocMirror } from '$lib/sync/doc-mirror';
import { DeviceStore } from '$lib/sync/device-store';
import { HeaderSync } from '$lib/sync/header-sync';
import { until } from './node-relay';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const first = 'correct horse battery staple';
let counter = 0;

interface Phone {
	db: PapiersDb;
	vault: UnlockedVault;
	mirror: DocMirror;
	store: DeviceStore;
	headers: HeaderSync;
}
const phones: Phone[] = [];

afterEach(async () => {
	for (const phone of phones.splice(0)) {
		phone.headers.stop();
		await phone.mirror.close();
		phone.store.close();
		phone.db.close();
	}
});

async function phone(db: PapiersDb, vault: UnlockedVault): Promise<Phone> {
	counter++;
	const mirror = await DocMirror.open({
		vaultDb: db,
		vaultTag: 'room',
		syncDbName: `hs-${counter}`
	});
	const store = new DeviceStore(`hs-device-${counter}`);
	const headers = new HeaderSync({
		doc: mirror.doc,
		vault,
		db,
		store,
		vaultTag: 'room',
		kdfFloor: kdf
	});
	headers.start();
	const made = { db, vault, mirror, store, headers };
	phones.push(made);
	return made;
}

async function pair(): Promise<[Phone, Phone]> {
	const aDb = openDatabase(`hs-a-${++counter}`);
	const aVault = await createVault({ password: first, vault: { db: aDb, kdf } });
	const bDb = openDatabase(`hs-b-${counter}`);
	await importReceivedHeader({ db: bDb, header: (await aDb.header.get('main'))! });
	const bVault = await unlockVault({ password: first, vault: { db: bDb } });
	return [await phone(aDb, aVault), await phone(bDb, bVault)];
}

async function exchange(a: Phone, b: Phone): Promise<void> {
	Y.applyUpdate(
		b.mirror.doc,
		Y.encodeStateAsUpdate(a.mirror.doc, Y.encodeStateVector(b.mirror.doc)),
		'peer'
	);
	Y.applyUpdate(
		a.mirror.doc,
		Y.encodeStateAsUpdate(b.mirror.doc, Y.encodeStateVector(a.mirror.doc)),
		'peer'
	);
	await Promise.all([a.headers.settled(), b.headers.settled()]);
	await new Promise((resolve) => setTimeout(resolve, 50));
	await Promise.all([a.headers.settled(), b.headers.settled()]);
}

describe('vault header over sync', () => {
	it('a password changed on A becomes the password of B once typed on B', async () => {
		const [a, b] = await pair();
		await exchange(a, b);
		await b.vault.put('element:email', { email: 'before@example.org' });

		await a.vault.changePassword({
			currentPassword: first,
			newPassword: 'second password here',
			kdf
		});
		await until(() => a.mirror.doc.getMap('meta').get('header'));
		await exchange(a, b);

		const aHeader = (await a.db.header.get('main'))!;
		const pending = (await b.db.header.get('pending'))!;
		expect(pending.wrappedKey).toEqual(aHeader.wrappedKey);
		expect(pending.kdf).toEqual(aHeader.kdf);
		// Nothing from the document replaces B's own header: it still opens with the old password.
		expect((await b.db.header.get('main'))!.wrappedKey).not.toEqual(aHeader.wrappedKey);
		// B's open vault keeps its key: it still reads and writes.
		expect(await b.vault.get('element:email')).toEqual({ email: 'before@example.org' });
		(await unlockVault({ password: first, vault: { db: b.db, kdfFloor: kdf } })).lock();

		// The new password, typed on B, opens the pending header, which becomes B's.
		const reopened = await unlockVault({
			password: 'second password here',
			vault: { db: b.db, kdfFloor: kdf }
		});
		expect(await reopened.get('element:email')).toEqual({ email: 'before@example.org' });
		expect((await b.db.header.get('main'))!.wrappedKey).toEqual(aHeader.wrappedKey);
		expect(await b.db.header.get('pending')).toBeUndefined();
		await expect(
			unlockVault({ password: first, vault: { db: b.db, kdfFloor: kdf } })
		).rejects.toBeInstanceOf(WrongPasswordError);
		// And B does not publish it back as a change of its own.
		const version = (await b.store.readState<{ version: number }>('header:room'))?.version;
		await exchange(a, b);
		expect((await b.store.readState<{ version: number }>('header:room'))?.version).toBe(version);
	});

	it('the document never holds the header in the clear', async () => {
		const [a] = await pair();
		await a.vault.changePassword({
			currentPassword: first,
			newPassword: 'another password',
			hint: 'HINT-IN-CLEAR-MARKER',
			kdf
		});
		await until(() => a.mirror.doc.getMap('meta').get('header'));
		const update = Buffer.from(Y.encodeStateAsUpdate(a.mirror.doc));
		expect(update.includes('HINT-IN-CLEAR-MARKER')).toBe(false);
		expect(update.includes(Buffer.from((await a.db.header.get('main'))!.wrappedKey))).toBe(false);
	});

	it('two devices changing the password at once end with the same one', async () => {
		const [a, b] = await pair();
		await exchange(a, b);
		await a.vault.changePassword({ currentPassword: first, newPassword: 'password of A', kdf });
		await b.vault.changePassword({ currentPassword: first, newPassword: 'password of B', kdf });
		await until(() => a.mirror.doc.getMap('meta').get('header'));
		await until(() => b.mirror.doc.getMap('meta').get('header'));
		await exchange(a, b);
		await exchange(a, b);
		// Yjs kept one header on both; each device opens with the password it holds in the
		// document, the loser once its person types the winner's password.
		const open = (phone: Phone, password: string) =>
			unlockVault({ password, vault: { db: phone.db, kdfFloor: kdf } }).then(() => password);
		// The device whose header Yjs kept holds no pending one; the other one does.
		const [aPending, bPending] = [
			await a.db.header.get('pending'),
			await b.db.header.get('pending')
		];
		expect(!!aPending !== !!bPending).toBe(true);
		const winner = aPending ? 'password of B' : 'password of A';
		await expect(open(a, winner)).resolves.toBe(winner);
		await expect(open(b, winner)).resolves.toBe(winner);
		expect((await a.db.header.get('main'))!.wrappedKey).toEqual(
			(await b.db.header.get('main'))!.wrappedKey
		);
	});
});
