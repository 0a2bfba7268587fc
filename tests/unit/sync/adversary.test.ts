/**
 * A device of the vault that runs modified code: it holds the vault key (it was unlocked at
 * removal time), maybe the password, and talks to the other devices through everything sync
 * carries (handovers on the relay, registry records and headers in the synced document). Real
 * crypto, real vaults (fake-indexeddb), the real document mirror. Each attack here succeeded
 * against the code before "the password is the only authority" (commit message, README Security).
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
	sealHeader,
	UnlockedVault,
	unlockVault
} from '$lib/vault/vault';
import { DocMirror } from '$lib/sync/doc-mirror';
import { DeviceStore } from '$lib/sync/device-store';
import { newDeviceKeyPair, type DeviceKeyPair } from '$lib/sync/device-keys';
import {
	announceDevice,
	deviceRecordKey,
	grantDevice,
	listDevices,
	type DeviceRecord
} from '$lib/sync/device-registry';
import {
	AmbiguousKeyChangeError,
	buildHandover,
	handoverRecordKey,
	openKeyChange,
	publicPart,
	readHandover,
	type ReceivedKeyChange
} from '$lib/sync/handover';
import { HeaderSync, META_MAP } from '$lib/sync/header-sync';
import { encodeVersion } from '$lib/sync/version-value';
import { unseenRows } from '$lib/sync/device-sync';
import { authorityOf, grantFor, type TestAuthority } from './members';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const password = 'owner password, long enough';
const newPassword = 'owner password after removal';
const SECRET = 'AFTER-REMOVAL-MARKER-7d2f';
let counter = 0;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function newDb(name: string): PapiersDb {
	const db = openDatabase(`adv-${name}-${++counter}`);
	cleanups.push(() => db.close());
	return db;
}

async function mirrorOf(db: PapiersDb, vault: UnlockedVault, tag: string): Promise<DocMirror> {
	const mirror = await DocMirror.open({
		vaultDb: db,
		vaultTag: tag,
		syncDbName: `adv-s-${++counter}`
	});
	const stop = vault.onChange((change) => mirror.applyLocalChange(change));
	cleanups.push(async () => {
		stop();
		await mirror.close();
	});
	return mirror;
}

async function exchange(...mirrors: DocMirror[]): Promise<void> {
	for (const from of mirrors) {
		for (const to of mirrors) {
			if (from === to) continue;
			Y.applyUpdate(to.doc, Y.encodeStateAsUpdate(from.doc, Y.encodeStateVector(to.doc)), 'peer');
		}
	}
	await Promise.all(mirrors.map((mirror) => mirror.settled()));
}

interface Device {
	name: string;
	identity: DeviceKeyPair;
	db: PapiersDb;
	vault: UnlockedVault;
}

/**
 * Three devices of one vault, every one a member: A (where the person acts), B (offline at
 * removal time) and M (the one to remove, running the attacker's code).
 */
async function threeDevices() {
	const aDb = newDb('a');
	const aVault = await createVault({ password, vault: { db: aDb, kdf } });
	const authority = await authorityOf(aDb, aVault);
	const devices: Device[] = [{ name: 'A', identity: newDeviceKeyPair(), db: aDb, vault: aVault }];
	for (const name of ['B', 'M']) {
		const db = newDb(name.toLowerCase());
		await importReceivedHeader({ db, header: (await aDb.header.get('main'))! });
		const vault = await unlockVault({ password, vault: { db, kdfFloor: kdf } });
		vault.takeAuthority();
		devices.push({ name, identity: newDeviceKeyPair(), db, vault });
	}
	for (const device of devices) {
		await announceDevice({
			vault: aVault,
			identity: device.identity,
			defaultName: device.name,
			grant: grantFor(authority, device.identity)
		});
	}
	await aVault.put('element:email', { email: 'before@example.org' });
	const [a, b, m] = devices;
	const tag = 'generation-1';
	const mirrors = {
		a: await mirrorOf(a.db, a.vault, tag),
		b: await mirrorOf(b.db, b.vault, tag),
		m: await mirrorOf(m.db, m.vault, tag)
	};
	await exchange(mirrors.a, mirrors.b, mirrors.m);
	return { a, b, m, authority, mirrors };
}

/** What a device reads from a handover, as the sync engine calls it. */
async function readAs(device: Device, handover: unknown, authority: TestAuthority) {
	return readHandover({
		handover,
		recipient: device.identity,
		generation: (await device.db.header.get('main'))!.keyGeneration,
		knownDevices: await listDevices(device.vault, authority.publicKey),
		authorityPublicKey: authority.publicKey,
		kdfFloor: kdf
	});
}

/** The honest removal on A: new key (and, with `changeTo`, new password), handover signed. */
async function removeOnA(options: {
	a: Device;
	removed: Device;
	authority: TestAuthority;
	stateVector: Uint8Array;
	changeTo?: string;
}) {
	const { a, removed } = options;
	const members = await listDevices(a.vault, options.authority.publicKey);
	const roomSecret = a.vault.deriveSubkey('sync-room-secret');
	const result = await rotateVaultKey({
		vault: a.vault,
		db: a.db,
		password,
		newPassword: options.changeTo,
		deriveKey: deriveOnThisThread,
		kdf,
		omitKeys: members.map((device) => deviceRecordKey(device.id)),
		addRecords: (secrets) => [
			{
				key: handoverRecordKey(1),
				value: buildHandover({
					sender: a.identity,
					recipients: members,
					removed: [removed.identity.deviceId],
					roomSecret,
					stateVector: options.stateVector,
					header: secrets.header,
					fromGeneration: 1,
					authoritySeed: secrets.previousAuthoritySeed!
				})
			},
			...members
				.filter((device) => device.id !== removed.identity.deviceId)
				.map((device) => ({
					key: deviceRecordKey(device.id),
					value: {
						...device,
						grant: grantDevice({
							authoritySeed: secrets.authoritySeed,
							authorityPublicKey: secrets.header.authorityPublicKey!,
							device
						})
					}
				}))
		]
	});
	const aNext = new UnlockedVault(a.db, result.vaultKey, deriveOnThisThread);
	const record = (await aNext.get<Parameters<typeof publicPart>[0]>(handoverRecordKey(1)))!;
	return { aNext, header: result.header, handover: publicPart(record) };
}

/** M's forged handover: its own device key, a new key of its choosing wrapped under `wrapWith`. */
async function forgeHandover(options: {
	m: Device;
	recipients: DeviceRecord[];
	removed: string[];
	wrapWith: string;
	signWith: Uint8Array;
}) {
	const current = (await options.m.db.header.get('main'))!;
	const attackerKey = new Uint8Array(32).fill(0x66);
	const header = await sealHeader({
		...current,
		vaultKey: attackerKey,
		authoritySeed: new Uint8Array(32).fill(0x67),
		password: options.wrapWith,
		kdf,
		keyGeneration: current.keyGeneration + 1,
		deriveKey: deriveOnThisThread
	});
	return publicPart(
		buildHandover({
			sender: options.m.identity,
			recipients: options.recipients,
			removed: options.removed,
			roomSecret: new Uint8Array(32),
			stateVector: new Uint8Array([0]),
			header,
			fromGeneration: 1,
			authoritySeed: options.signWith
		})
	);
}

describe('a removed device without the password', () => {
	it('cannot re-key another device with a forged handover; B follows the real removal', async () => {
		const { a, b, m, authority, mirrors } = await threeDevices();
		const members = await listDevices(m.vault, authority.publicKey);
		// M holds the vault key but not the authority seed: it signs with a key of its own.
		const forged = await forgeHandover({
			m,
			recipients: members,
			removed: [a.identity.deviceId],
			wrapWith: 'attacker password',
			signWith: new Uint8Array(32).fill(0x55)
		});
		expect(await readAs(b, forged, authority)).toBeUndefined();
		// Even with the signature of the real handover pasted on, it does not verify.
		const { aNext, header, handover } = await removeOnA({
			a,
			removed: m,
			authority,
			stateVector: Y.encodeStateVector(mirrors.a.doc)
		});
		expect(
			await readAs(b, { ...forged, signature: handover.signature }, authority)
		).toBeUndefined();

		// B hears the real one: a key change that only the password opens.
		const change = await readAs(b, handover, authority);
		if (!change || change === 'removed') throw new Error('B should be told of the new key');
		await expect(
			openKeyChange({
				changes: [change],
				password: 'attacker password',
				deriveKey: deriveOnThisThread
			})
		).rejects.toBeInstanceOf(WrongPasswordError);
		const bNext = await takeKey(b, change, password, mirrors.b);

		// A and B carry on in the new room; M, with the old key, reads nothing saved after.
		const [aMirror, bMirror] = [
			await mirrorOf(a.db, aNext, 'generation-2'),
			await mirrorOf(b.db, bNext, 'generation-2')
		];
		await aNext.put('element:phone_number', { phone_number: SECRET });
		await exchange(aMirror, bMirror);
		expect(await bNext.get('element:phone_number')).toEqual({ phone_number: SECRET });
		expect(header.keyGeneration).toBe(2);
		for (const row of await b.db.records.toArray()) {
			expect(() => m.vault.openRecord(row)).toThrow(UnreadableRecordError);
		}
		// M's copy of the old room got nothing new.
		await exchange(mirrors.m);
		expect(JSON.stringify(await m.db.records.toArray())).not.toContain(SECRET);
	});

	it('cannot make a device believe it was removed', async () => {
		const { a, b, authority } = await threeDevices();
		const junk = {
			fromGeneration: 1,
			toGeneration: 2,
			at: Date.now(),
			senderId: a.identity.deviceId,
			senderPublicKey: toBase64(a.identity.publicKey),
			removed: [b.identity.deviceId],
			stateVector: '',
			envelopes: {},
			signature: toBase64(new Uint8Array(64))
		};
		expect(await readAs(b, junk, authority)).toBeUndefined();
		const { signature: _none, ...unsigned } = junk;
		expect(await readAs(b, unsigned, authority)).toBeUndefined();
		expect(
			await readAs(b, { ...junk, removed: [b.identity.deviceId, 'x'] }, authority)
		).toBeUndefined();
	});

	it('cannot plant a device of its own, and cannot strip a member', async () => {
		const { a, m, authority } = await threeDevices();
		const planted = newDeviceKeyPair();
		// M writes a registry record for a key it keeps, with no grant or a grant it made up.
		await announceDevice({ vault: m.vault, identity: planted, defaultName: 'Planted' });
		const listed = await listDevices(m.vault, authority.publicKey);
		expect(listed.map((device) => device.name)).not.toContain('Planted');
		await m.vault.put(deviceRecordKey(planted.deviceId), {
			id: planted.deviceId,
			name: 'Planted',
			publicKey: toBase64(planted.publicKey),
			added: 0,
			lastSeen: 0,
			grant: grantDevice({
				authoritySeed: new Uint8Array(32).fill(1),
				authorityPublicKey: authority.publicKey,
				device: { id: planted.deviceId, publicKey: toBase64(planted.publicKey) }
			})
		});
		expect((await listDevices(m.vault, authority.publicKey)).map((d) => d.name)).not.toContain(
			'Planted'
		);
		// A grant copied from a real member does not fit another key.
		const memberGrant = grantFor(authority, a.identity);
		await m.vault.put(deviceRecordKey(planted.deviceId), {
			id: planted.deviceId,
			name: 'Planted',
			publicKey: toBase64(planted.publicKey),
			added: 0,
			lastSeen: 0,
			grant: memberGrant
		});
		expect((await listDevices(m.vault, authority.publicKey)).map((d) => d.name)).not.toContain(
			'Planted'
		);
		// A removal then gives it no envelope.
		const { handover } = await removeOnA({
			a: { ...a, vault: m.vault, db: m.db },
			removed: m,
			authority,
			stateVector: new Uint8Array([0])
		});
		expect(Object.keys(handover.envelopes)).not.toContain(planted.deviceId);

		// Stripping a member's grant: the member puts it back at its next announce.
		const stripped = await announceDevice({
			vault: a.vault,
			identity: a.identity,
			defaultName: 'A'
		});
		await a.vault.put(deviceRecordKey(a.identity.deviceId), { ...stripped, grant: undefined });
		expect((await listDevices(a.vault, authority.publicKey)).map((d) => d.id)).not.toContain(
			a.identity.deviceId
		);
		await announceDevice({
			vault: a.vault,
			identity: a.identity,
			defaultName: 'A',
			grant: memberGrant
		});
		expect((await listDevices(a.vault, authority.publicKey)).map((d) => d.id)).toContain(
			a.identity.deviceId
		);
	});

	it('cannot set a password, or weaken the key derivation, on another device', async () => {
		const { b, m, mirrors } = await threeDevices();
		const store = new DeviceStore(`adv-hs-${++counter}`);
		const headers = new HeaderSync({
			doc: mirrors.b.doc,
			vault: b.vault,
			db: b.db,
			store,
			vaultTag: 'generation-1',
			kdfFloor: kdf
		});
		cleanups.push(() => {
			headers.stop();
			store.close();
		});
		headers.start();
		await headers.settled();
		const before = (await b.db.header.get('main'))!;
		// The vault key M's modified code holds in memory (the test reads it with the password).
		const { vaultKey: stolenKey } = await openHeader(before, password, deriveOnThisThread);

		// M wraps the vault key it holds under its own password: once weak, once at full cost.
		const push = async (cost: typeof kdf, version: number) => {
			const pushed = await sealHeader({
				...before,
				vaultKey: stolenKey,
				authoritySeed: new Uint8Array(32).fill(9),
				password: 'attacker password',
				kdf: cost,
				deriveKey: deriveOnThisThread
			});
			const row = m.vault.sealRecord('sync:vault-header', {
				version,
				header: headerToTransfer(pushed)
			});
			mirrors.m.doc.transact(() =>
				mirrors.m.doc.getMap(META_MAP).set('header', encodeVersion(row))
			);
			await exchange(mirrors.m, mirrors.b);
			await headers.settled();
			await new Promise((resolve) => setTimeout(resolve, 20));
			await headers.settled();
		};
		await push({ memoryKiB: 8, iterations: 1, parallelism: 1 }, 50);
		expect(await b.db.header.get('pending')).toBeUndefined();
		await push(kdf, 51);
		// At the floor it is kept aside, never as B's header.
		expect(await b.db.header.get('pending')).toBeTruthy();
		expect((await b.db.header.get('main'))!.wrappedKey).toEqual(before.wrappedKey);
		// The owner's password keeps opening B, and B's header stays the owner's.
		(await unlockVault({ password, vault: { db: b.db, kdfFloor: kdf } })).lock();
		expect((await b.db.header.get('main'))!.wrappedKey).toEqual(before.wrappedKey);
		// A pending header from another generation or below the shipped floor never opens B.
		await expect(
			unlockVault({ password: 'attacker password', vault: { db: b.db } })
		).rejects.toBeInstanceOf(WrongPasswordError);
	});
});

describe('a removed device that knew the password', () => {
	it('cannot take B over after "Remove and change password"', async () => {
		const { a, b, m, mirrors } = await threeDevices();
		const authority = await (async () => {
			// M typed the password once: it can open the header and keep the authority seed.
			const mOpened = await unlockVault({ password, vault: { db: m.db, kdfFloor: kdf } });
			const held = mOpened.takeAuthority()!;
			return { seed: held.seed, publicKey: (await m.db.header.get('main'))!.authorityPublicKey! };
		})();
		const members = await listDevices(m.vault, authority.publicKey);
		const forged = await forgeHandover({
			m,
			recipients: members,
			removed: [a.identity.deviceId],
			wrapWith: password,
			signWith: authority.seed
		});
		const forgedChange = await readAs(b, forged, authority);
		// Signed with the old authority, it reaches B; the old password would open it.
		if (!forgedChange || forgedChange === 'removed') throw new Error('expected a key change');

		const { handover } = await removeOnA({
			a,
			removed: m,
			authority,
			stateVector: Y.encodeStateVector(mirrors.a.doc),
			changeTo: newPassword
		});
		const honest = await readAs(b, handover, authority);
		if (!honest || honest === 'removed') throw new Error('expected a key change');
		// B's person types the new password: only the real change opens, whatever came first.
		const chosen = await openKeyChange({
			changes: [forgedChange, honest],
			password: newPassword,
			deriveKey: deriveOnThisThread
		});
		expect(chosen.change).toBe(honest);
		// Both waiting, the old password picks neither: the forgery was wrapped under it.
		await expect(
			openKeyChange({
				changes: [forgedChange, honest],
				password,
				deriveKey: deriveOnThisThread,
				current: (await b.db.header.get('main'))!
			})
		).rejects.toBeInstanceOf(AmbiguousKeyChangeError);
		const bNext = await takeKey(b, honest, newPassword, mirrors.b);
		expect(await bNext.get('element:email')).toBeUndefined(); // comes back from the new room
		await expect(
			unlockVault({ password, vault: { db: b.db, kdfFloor: kdf } })
		).rejects.toBeInstanceOf(WrongPasswordError);
		(await unlockVault({ password: newPassword, vault: { db: b.db, kdfFloor: kdf } })).lock();
	});
});

describe('the header on the device itself', () => {
	it('opens only with every field as it was written', async () => {
		const db = newDb('fields');
		await createVault({ password, hint: 'the real hint', vault: { db, kdf } });
		const header = (await db.header.get('main'))!;
		const other = newDeviceKeyPair().publicKey;
		const swaps = [
			{ hint: 'Your password is on evil.example' },
			{ inboxPublicKey: other },
			{ inboxPublicKey: undefined },
			{ authorityPublicKey: other },
			{ createdAt: header.createdAt + 1 },
			{ keyGeneration: header.keyGeneration + 1 },
			{ kdf: { ...header.kdf, memoryKiB: 8 } },
			{ kdf: { ...header.kdf, iterations: 2 } },
			{ format: 1 as const }
		];
		for (const swap of swaps) {
			await db.header.put({ ...header, ...swap });
			await expect(unlockVault({ password, vault: { db } })).rejects.toBeInstanceOf(
				WrongPasswordError
			);
		}
		await db.header.put(header);
		(await unlockVault({ password, vault: { db } })).lock();
	});
});

/** B takes the key change its person confirmed, as the engine does (confirmKeyChange). */
async function takeKey(
	b: Device,
	change: ReceivedKeyChange,
	typed: string,
	mirror: DocMirror
): Promise<UnlockedVault> {
	const { opened } = await openKeyChange({
		changes: [change],
		password: typed,
		deriveKey: deriveOnThisThread
	});
	await adoptVaultKey({
		vault: b.vault,
		db: b.db,
		vaultKey: opened.vaultKey,
		header: change.header,
		deriveKey: deriveOnThisThread,
		keep: unseenRows(mirror.doc, change.stateVector)
	});
	return new UnlockedVault(b.db, opened.vaultKey, deriveOnThisThread);
}
