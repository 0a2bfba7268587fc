/**
 * The consent screen encrypts the scans it is about to send while the person reads it
 * (src/lib/passport/scan-preparer.ts). That work must stay in the page's memory: until Authorize,
 * nothing may reach the service or any other origin, and nothing may be written to storage.
 */

import { expect, test, type Page } from '@playwright/test';
import { createVault, unlock } from './helpers';
import {
	SYNC_TURN_CREDENTIALS_URL,
	WALLET_URL,
	expectConsentScreen,
	makeServiceKey,
	receivedDelivery,
	startCallbackServer,
	watchForLeaks,
	type CallbackServer
} from './consent-helpers';
import { buildConsentUrl } from '../../src/lib/service/index';
import { LARGE_SCAN, SMALL_SCAN, addFromHome, fillProofScans } from './fill';

/**
 * Everything this origin keeps: every IndexedDB database (each store's keys and the size of each
 * value), localStorage, sessionStorage and Cache Storage. Sizes, so that a value rewritten with
 * more in it shows too.
 */
function storageSnapshot(page: Page) {
	return page.evaluate(async () => {
		const sizeOf = (value: unknown): number => {
			if (value instanceof ArrayBuffer) return value.byteLength;
			if (ArrayBuffer.isView(value)) return value.byteLength;
			if (typeof value === 'string') return value.length;
			if (value === null || typeof value !== 'object') return String(value).length;
			let sum = 0;
			for (const [key, inner] of Object.entries(value)) sum += key.length + sizeOf(inner);
			return sum;
		};
		const snapshot: Record<string, string[]> = {};
		for (const { name } of await indexedDB.databases()) {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open(name!);
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			for (const storeName of db.objectStoreNames) {
				const store = db.transaction(storeName, 'readonly').objectStore(storeName);
				const [keys, values] = await Promise.all(
					[store.getAllKeys(), store.getAll()].map(
						(request) =>
							new Promise<unknown[]>((resolve, reject) => {
								request.onsuccess = () => resolve(request.result);
								request.onerror = () => reject(request.error);
							})
					)
				);
				snapshot[`idb ${name}/${storeName}`] = keys.map(
					(key, i) => `${JSON.stringify(key)}: ${sizeOf(values[i])}`
				);
			}
			db.close();
		}
		const web = (storage: Storage) =>
			Object.keys(storage)
				.sort()
				.map((key) => `${key}: ${storage.getItem(key)?.length}`);
		snapshot.localStorage = web(localStorage);
		snapshot.sessionStorage = web(sessionStorage);
		snapshot.caches = [];
		for (const name of await caches.keys()) {
			const cache = await caches.open(name);
			for (const request of await cache.keys()) snapshot.caches.push(`${name} ${request.url}`);
		}
		return snapshot;
	});
}

let service: CallbackServer;
test.beforeEach(async () => {
	service = await startCallbackServer();
});
test.afterEach(async () => {
	await service.close();
});

test('scans prepared while the consent screen is read: nothing posted or stored before Authorize', async ({
	page
}) => {
	test.setTimeout(180_000);
	const key = makeServiceKey();
	await createVault(page);
	await addFromHome(page, 'utility_bill', (p) => fillProofScans(p, [LARGE_SCAN, SMALL_SCAN]));
	const consentUrl = buildConsentUrl({
		walletUrl: WALLET_URL,
		botId: '777000222',
		scope: { v: 1, d: ['ub'] },
		publicKey: key.publicKeyPem,
		nonce: 'nonce-prepared',
		callbackUrl: `${service.origin}/cb`
	});

	await page.goto(consentUrl);
	await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
	const before = await storageSnapshot(page);
	const watch = watchForLeaks(page);
	const bodies: string[] = [];
	page.on('request', (request) => {
		if (request.postData() !== null) bodies.push(`${request.method()} ${request.url()}`);
	});
	await unlock(page);
	await expectConsentScreen(page, service.origin);
	// The screen marks when its preparation is done (it is not otherwise visible).
	await page.waitForFunction(
		() => performance.getEntriesByName('papiers:delivery-prepared').length > 0,
		undefined,
		{ timeout: 60_000 }
	);

	expect(service.calls).toEqual([]);
	// Sync's credential GET at unlock is not the delivery's; anything else leaving is a leak.
	expect(watch.requests.filter((url) => url !== SYNC_TURN_CREDENTIALS_URL)).toEqual([]);
	expect(watch.navigations).toEqual([]);
	expect(bodies).toEqual([]);
	expect(await storageSnapshot(page)).toEqual(before);

	// Authorize sends what was prepared, once, and the service reads both scans.
	await page.getByRole('button', { name: 'Authorize' }).click();
	const passport = await receivedDelivery({ page, service, key, nonce: 'nonce-prepared' });
	expect(passport.byType.utility_bill?.files).toHaveLength(2);
	for (const file of passport.byType.utility_bill!.files!) {
		expect(file.bytes!.subarray(0, 3)).toEqual(new Uint8Array([0xff, 0xd8, 0xff]));
	}
});
