/**
 * This device's X25519 private key (it opens key handovers and proves which device sealed
 * one) must not outlive sync: once the device store closes, at lock, the keys it handed out
 * are zero, so a locked page no longer holds them.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/vault/db';
import { createVault } from '$lib/vault/vault';
import { DeviceStore } from '$lib/sync/device-store';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
let counter = 0;

const isZero = (bytes: Uint8Array) => bytes.length > 0 && bytes.every((byte) => byte === 0);

describe('device store', () => {
	it('wipes the private keys it handed out when it closes', async () => {
		const db = openDatabase(`wipe-vault-${++counter}`);
		const vault = await createVault({ password: 'pw pw pw pw pw', vault: { db, kdf } });
		const store = new DeviceStore(`wipe-device-${counter}`);
		const created = await store.identity(vault); // made and stored
		const reopened = await store.identity(vault); // opened from storage
		expect(reopened.deviceId).toBe(created.deviceId);
		expect(isZero(created.privateKey)).toBe(false);
		expect(isZero(reopened.privateKey)).toBe(false);

		store.close();

		expect(isZero(created.privateKey)).toBe(true);
		expect(isZero(reopened.privateKey)).toBe(true);

		// The stored identity is untouched: the next start opens the same device again.
		const next = new DeviceStore(`wipe-device-${counter}`);
		const again = await next.identity(vault);
		expect(again.deviceId).toBe(created.deviceId);
		expect(isZero(again.privateKey)).toBe(false);
		next.close();
	});
});
