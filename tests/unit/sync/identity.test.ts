/**
 * Device identities: ids bound to public keys, envelopes only the two devices can open, the
 * private key stored sealed under the vault key, and the registry ignoring records whose id and
 * key disagree.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { toBase64 } from '$lib/crypto/bytes';
import { openDatabase } from '$lib/vault/db';
import { createVault } from '$lib/vault/vault';
import { deviceIdOf, newDeviceKeyPair, openFromDevice, sealToDevice } from '$lib/sync/device-keys';
import { listDevices, platformName, renameDevice } from '$lib/sync/device-registry';
import { announceMember, authorityOf } from './members';
import { DeviceStore } from '$lib/sync/device-store';
import { dumpIndexedDb } from '../../helpers/idb-dump';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
let counter = 0;

describe('device envelopes', () => {
	it('open only for the recipient, and only if the named sender sealed them', () => {
		const [a, b, c] = [newDeviceKeyPair(), newDeviceKeyPair(), newDeviceKeyPair()];
		const plaintext = new TextEncoder().encode('new vault key');
		const sealed = sealToDevice({
			sender: a,
			recipientId: b.deviceId,
			recipientPublicKey: b.publicKey,
			context: 'rotation/1/2',
			plaintext
		});
		const openAs = (recipient = b, sender = a, context = 'rotation/1/2') =>
			openFromDevice({
				recipient,
				senderId: sender.deviceId,
				senderPublicKey: sender.publicKey,
				context,
				sealed
			});
		expect(openAs()).toEqual(plaintext);
		expect(() => openAs(c)).toThrow();
		expect(() => openAs(b, c)).toThrow();
		expect(() => openAs(b, a, 'rotation/2/3')).toThrow();
		expect(() =>
			openFromDevice({
				recipient: b,
				senderId: a.deviceId,
				senderPublicKey: c.publicKey,
				context: 'rotation/1/2',
				sealed
			})
		).toThrow(/does not match/);
		expect(deviceIdOf(a.publicKey)).toBe(a.deviceId);
	});
});

describe('device store and registry', () => {
	it('keeps the private key sealed under the vault key, and a new identity for a new vault', async () => {
		const db = openDatabase(`id-vault-${++counter}`);
		const vault = await createVault({ password: 'pw pw pw pw pw', vault: { db, kdf } });
		const store = new DeviceStore(`id-device-${counter}`);
		const identity = await store.identity(vault);
		expect((await store.identity(vault)).deviceId).toBe(identity.deviceId);
		const dump = await dumpIndexedDb(`id-device-${counter}`);
		expect(dump.includes(Buffer.from(identity.privateKey).toString('latin1'))).toBe(false);

		const otherDb = openDatabase(`id-vault-other-${counter}`);
		const other = await createVault({ password: 'pw pw pw pw pw', vault: { db: otherDb, kdf } });
		expect((await store.identity(other)).deviceId).not.toBe(identity.deviceId);
		store.close();
	});

	it('lists each device once, renames, and ignores a record whose key is not its id', async () => {
		const db = openDatabase(`id-registry-${++counter}`);
		const vault = await createVault({ password: 'pw pw pw pw pw', vault: { db, kdf } });
		const authority = await authorityOf(db, vault);
		const [a, b] = [newDeviceKeyPair(), newDeviceKeyPair()];
		await announceMember({ vault, authority, identity: a, name: 'Android', now: 1000 });
		await announceMember({ vault, authority, identity: b, name: 'Linux', now: 2000 });
		await renameDevice({ vault, identity: a, name: '  Work   phone ' });
		await vault.put(`device:${a.deviceId}x`, {
			id: `${a.deviceId}x`,
			name: 'impostor',
			publicKey: toBase64(b.publicKey),
			added: 0,
			lastSeen: 0
		});
		const devices = await listDevices(vault, authority.publicKey);
		expect(devices.map((d) => d.name)).toEqual(['Work phone', 'Linux']);
		expect(devices[0].added).toBe(1000);
		// A fresh record is not rewritten on every start.
		const before = await db.records.count();
		await announceMember({ vault, authority, identity: b, name: 'Linux', now: 2500 });
		expect((await listDevices(vault, authority.publicKey))[1].lastSeen).toBe(2000);
		expect(await db.records.count()).toBe(before);
	});

	it('names a device after its platform', () => {
		expect(platformName('Mozilla/5.0 (Linux; Android 14; Pixel 7) Chrome/120')).toBe('Android');
		expect(platformName('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)')).toBe('iPhone');
		expect(platformName('Mozilla/5.0 (X11; Linux x86_64)')).toBe('Linux');
		expect(platformName('curl/8')).toBe('');
	});
});
