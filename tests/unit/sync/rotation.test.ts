/**
 * Removing a device: the vault sealed again under a new key (real vault, fake-indexeddb), the new
 * key handed to the remaining devices through their X25519 keys, nothing for the removed one,
 * and a remaining device keeping the changes the rotation had not seen.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toBase64 } from '$lib/crypto/bytes';
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import { headerToTransfer, importReceivedHeader } from '$lib/vault/import-header';
import { adoptVaultKey, rotateVaultKey } from '$lib/vault/rotate-key';
import { UnreadableRecordError, WrongPasswordError } from '$lib/vault/types';
import {
	createVault,
	deriveOnThisThread,
	openHeader,
	UnlockedVault,
	unlockVault
} from '$lib/vault/vault';
import { DocMirror } from '$lib/sync/doc-mirror';
import { newDeviceKeyPair, sealToDevice, type DeviceKeyPair } from '$lib/sync/device-keys';
import { deviceRecordKey, grantDevice, listDevices } from '$lib/sync/device-registry';
import { announceMember, authorityOf, type TestAuthority } from './members';
import { unseenRows } from '$lib/sync/device-sync';
import {
	buildHandover,
	handoverRecordKey,
	publicPart,
	readHandover,
	type HandoverRecord
} from '$lib/sync/handover';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const password = 'correct horse battery staple';
const MARKER = 'ROTATION-MARKER-93c1';
let counter = 0;
const open: { db: PapiersDb; mirror?: DocMirror }[] = [];

afterEach(async () => {
	for (const { db, mirror } of open.splice(0)) {
		await mirror?.close();
		db.close();
	}
});

function newDb(): PapiersDb {
	const db = openDatabase(`rotation-${++counter}`);
	open.push({ db });
	return db;
}

async function vaultWithDevices() {
	const db = newDb();
	const vault = await createVault({ password, vault: { db, kdf } });
	const authority = await authorityOf(db, vault);
	await vault.put('element:email', { email: `${MARKER}@example.org` });
	const scanBytes = new Uint8Array(50_000).map((_, i) => i % 251);
	const scanId = await vault.putScan(scanBytes);
	const [a, b, c] = [newDeviceKeyPair(), newDeviceKeyPair(), newDeviceKeyPair()];
	for (const [identity, name] of [
		[a, 'A'],
		[b, 'B'],
		[c, 'C']
	] as const) {
		await announceMember({ vault, authority, identity, name });
	}
	return { db, vault, authority, scanId, scanBytes, a, b, c };
}

async function rotate(options: {
	db: PapiersDb;
	vault: UnlockedVault;
	authority: TestAuthority;
	sender: DeviceKeyPair;
	removed: DeviceKeyPair;
	stateVector?: Uint8Array;
}) {
	const devices = await listDevices(options.vault, options.authority.publicKey);
	return rotateVaultKey({
		vault: options.vault,
		db: options.db,
		password,
		deriveKey: deriveOnThisThread,
		kdf,
		omitKeys: [deviceRecordKey(options.removed.deviceId)],
		addRecords: (rotation) => [
			{
				key: handoverRecordKey(1),
				value: buildHandover({
					sender: options.sender,
					recipients: devices,
					removed: [options.removed.deviceId],
					roomSecret: options.vault.deriveSubkey('sync-room-secret'),
					stateVector: options.stateVector ?? new Uint8Array([0]),
					header: rotation.header,
					fromGeneration: 1,
					authoritySeed: rotation.previousAuthoritySeed!
				})
			},
			...devices
				.filter((device) => device.id !== options.removed.deviceId)
				.map((device) => ({
					key: deviceRecordKey(device.id),
					value: {
						...device,
						grant: grantDevice({
							authoritySeed: rotation.authoritySeed,
							authorityPublicKey: rotation.header.authorityPublicKey!,
							device
						})
					}
				}))
		]
	});
}

describe('key rotation', () => {
	it('seals everything under a new key that the same password opens', async () => {
		const { db, vault, authority, scanId, scanBytes, a, c } = await vaultWithDevices();
		const oldRows = await db.records.toArray();
		const result = await rotate({ db, vault, authority, sender: a, removed: c });

		const header = (await db.header.get('main'))!;
		expect(header.keyGeneration).toBe(2);
		expect(result.header.keyGeneration).toBe(2);
		const reopened = await unlockVault({ password, vault: { db } });
		expect(await reopened.get('element:email')).toEqual({ email: `${MARKER}@example.org` });
		expect(await reopened.getScan(scanId)).toEqual(scanBytes);
		expect(
			(await listDevices(reopened, header.authorityPublicKey!)).map((d) => d.name).sort()
		).toEqual(['A', 'B']);
		// A new authority: the old one's grants count for nothing in the new generation.
		expect(header.authorityPublicKey).not.toEqual(authority.publicKey);
		expect(await listDevices(reopened, authority.publicKey)).toEqual([]);
		expect(await reopened.get(handoverRecordKey(1))).toBeTruthy();

		// Old key: every stored row is now foreign to it.
		const newRows = await db.records.toArray();
		expect(newRows.map((row) => row.id).some((id) => oldRows.some((old) => old.id === id))).toBe(
			false
		);
		for (const row of newRows) expect(() => vault.openRecord(row)).toThrow(UnreadableRecordError);
		await expect(vault.getScan(scanId)).rejects.toBeInstanceOf(UnreadableRecordError);
	});

	it('a wrong password changes nothing', async () => {
		const { db, vault } = await vaultWithDevices();
		const before = await db.records.toArray();
		await expect(
			rotateVaultKey({ vault, db, password: 'wrong', deriveKey: deriveOnThisThread, kdf })
		).rejects.toBeInstanceOf(WrongPasswordError);
		expect((await db.header.get('main'))!.keyGeneration).toBe(1);
		expect(await db.records.toArray()).toEqual(before);
		expect(await vault.get('element:email')).toBeTruthy();
	});

	it('hands the key to remaining devices only; the removed one learns it was removed', async () => {
		const { db, vault, authority, a, b, c } = await vaultWithDevices();
		const devicesBefore = await listDevices(vault, authority.publicKey);
		await rotate({ db, vault, authority, sender: a, removed: c });
		const authorityPublicKey = authority.publicKey;
		const reopened = await unlockVault({ password, vault: { db } });
		const record = (await reopened.get<HandoverRecord>(handoverRecordKey(1)))!;
		const handover = publicPart(record);
		expect(JSON.stringify(handover)).not.toContain(record.roomSecret);
		expect(Object.keys(handover.envelopes)).toEqual([b.deviceId]);

		const read = (recipient: DeviceKeyPair, generation = 1, knownDevices = devicesBefore) =>
			readHandover({
				handover,
				recipient,
				generation,
				knownDevices,
				authorityPublicKey,
				kdfFloor: kdf
			});
		const forB = read(b);
		if (!forB || forB === 'removed') throw new Error('B should be told of the new key');
		// The envelope carries the header, not the key: only the password opens it.
		await expect(openHeader(forB.header, 'wrong', deriveOnThisThread)).rejects.toBeInstanceOf(
			WrongPasswordError
		);
		const { vaultKey } = await openHeader(forB.header, password, deriveOnThisThread);
		const withKey = new UnlockedVault(db, vaultKey, deriveOnThisThread);
		expect(await withKey.get('element:email')).toEqual({ email: `${MARKER}@example.org` });

		expect(read(c)).toBe('removed');
		// Another generation, or a device that does not know the sender: nothing.
		expect(read(b, 2)).toBeUndefined();
		expect(
			read(
				b,
				1,
				devicesBefore.filter((d) => d.id !== a.deviceId)
			)
		).toBeUndefined();
	});

	it('refuses a handover forged by a device the recipient does not know', async () => {
		const { db, vault, authority, a, b, c } = await vaultWithDevices();
		const devices = await listDevices(vault, authority.publicKey);
		const stranger = newDeviceKeyPair();
		const forged = {
			...publicPart(
				buildHandover({
					sender: stranger,
					recipients: devices,
					removed: [a.deviceId],
					roomSecret: new Uint8Array(32),
					stateVector: new Uint8Array([0]),
					header: { ...(await db.header.get('main'))!, keyGeneration: 2 },
					fromGeneration: 1,
					// Even signed by the authority: the stranger is not a member.
					authoritySeed: authority.seed
				})
			)
		};
		const read = (handover: unknown) =>
			readHandover({
				handover,
				recipient: b,
				generation: 1,
				knownDevices: devices,
				authorityPublicKey: authority.publicKey,
				kdfFloor: kdf
			});
		expect(read(forged)).toBe(undefined);
		// Claiming to be A, but sealed with another key: the envelope does not open.
		const impersonated = {
			...forged,
			senderId: a.deviceId,
			senderPublicKey: toBase64(a.publicKey),
			removed: [c.deviceId],
			envelopes: {
				[b.deviceId]: toBase64(
					sealToDevice({
						sender: { deviceId: a.deviceId, privateKey: stranger.privateKey },
						recipientId: b.deviceId,
						recipientPublicKey: b.publicKey,
						context: 'rotation/1/2',
						plaintext: new TextEncoder().encode('{}')
					})
				)
			}
		};
		expect(read(impersonated)).toBeUndefined();
	});
});

describe('taking a new key on a remaining device', () => {
	it('keeps the changes the rotation had not seen, and only those', async () => {
		// Device A and device B share the vault (B paired: same header, same key).
		const aDb = newDb();
		const aVault = await createVault({ password, vault: { db: aDb, kdf } });
		const bDb = newDb();
		await importReceivedHeader({ db: bDb, header: (await aDb.header.get('main'))! });
		const bVault = await unlockVault({ password, vault: { db: bDb } });
		const tag = 'rotation-test';
		const aMirror = await DocMirror.open({
			vaultDb: aDb,
			vaultTag: tag,
			syncDbName: `s-a-${counter}`
		});
		const bMirror = await DocMirror.open({
			vaultDb: bDb,
			vaultTag: tag,
			syncDbName: `s-b-${counter}`
		});
		open.push({ db: aDb, mirror: aMirror }, { db: bDb, mirror: bMirror });
		aVault.onChange((change) => aMirror.applyLocalChange(change));
		bVault.onChange((change) => bMirror.applyLocalChange(change));
		const exchange = async () => {
			Y.applyUpdate(
				bMirror.doc,
				Y.encodeStateAsUpdate(aMirror.doc, Y.encodeStateVector(bMirror.doc)),
				'peer'
			);
			Y.applyUpdate(
				aMirror.doc,
				Y.encodeStateAsUpdate(bMirror.doc, Y.encodeStateVector(aMirror.doc)),
				'peer'
			);
			await Promise.all([aMirror.settled(), bMirror.settled()]);
		};

		await aVault.put('element:email', { email: 'shared@example.org' });
		await exchange();
		expect(await bVault.get('element:email')).toEqual({ email: 'shared@example.org' });

		// Offline on B: a new phone number and a new scan, which A never sees.
		await bVault.put('element:phone_number', { phone: '+33612345678' });
		const scanId = await bVault.putScan(new Uint8Array([1, 2, 3, 4]));
		await bMirror.settled();

		const seenByA = Y.encodeStateVector(aMirror.doc);
		const keep = unseenRows(bMirror.doc, seenByA);
		expect(keep.records).toHaveLength(1);
		expect(bVault.openRecord(keep.records[0]).key).toBe('element:phone_number');
		expect(keep.scans.map((row) => row.id)).toEqual([scanId]);

		const rotated = await rotateVaultKey({
			vault: aVault,
			db: aDb,
			password,
			deriveKey: deriveOnThisThread,
			kdf
		});
		await adoptVaultKey({
			vault: bVault,
			db: bDb,
			vaultKey: rotated.vaultKey,
			header: rotated.header,
			deriveKey: deriveOnThisThread,
			keep
		});
		const bAgain = await unlockVault({ password, vault: { db: bDb } });
		expect(await bAgain.get('element:phone_number')).toEqual({ phone: '+33612345678' });
		expect(await bAgain.getScan(scanId)).toEqual(new Uint8Array([1, 2, 3, 4]));
		// What A had is not kept on B: it comes back from the new room.
		expect(await bAgain.get('element:email')).toBeUndefined();
		expect((await bDb.header.get('main'))!.keyGeneration).toBe(2);
		expect(headerToTransfer((await bDb.header.get('main'))!)).toEqual(
			headerToTransfer(rotated.header)
		);
	});
});
