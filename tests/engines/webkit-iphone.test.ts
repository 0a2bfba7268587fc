/**
 * The iPhone's "Add to Home Screen" sheet in the engine every iPhone browser runs: WebKit told to
 * say it is Safari on an iPhone. Shown once on the first page and closed for good with "Got it".
 * Reopening it from Settings needs a vault; tests/e2e/platform.spec.ts checks that in Chromium.
 */

import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineDriver } from './driver';
import { WalletServer, WALLET_PORT, WEBKIT_DRIVER_PORT } from './servers';
import { Ui } from './ui';
import { launchWebKit } from './webdriver-driver';

const IPHONE_SAFARI =
	'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 ' +
	'(KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1';
// Another origin than the journey's (localhost). On the same origin, the WebKit journey that runs
// next stuck at "Loading…" on the offline consent link, 3 runs of 3; alone it passes. The cause
// (something WebKit keeps between sessions of one origin) was not found: see the issue note.
const WALLET_URL = `http://127.0.0.1:${WALLET_PORT}`;
const SHEET = { role: 'heading', name: 'Add Papiers to your Home Screen' } as const;

const wallet = new WalletServer();
let driver: EngineDriver | undefined;

beforeAll(async () => {
	await wallet.start();
});
afterAll(async () => {
	await driver?.close().catch(() => undefined);
	await wallet.stop();
});

test('Safari on an iPhone: the Add to Home Screen sheet shows once', async () => {
	driver = await launchWebKit(WEBKIT_DRIVER_PORT, { userAgent: IPHONE_SAFARI });
	const ui = new Ui(driver);
	await driver.goto(`${WALLET_URL}/`);
	expect(await driver.evaluate(() => navigator.userAgent)).toContain('iPhone');

	await ui.see(SHEET);
	await ui.see({ role: 'text', name: /Tap Share in Safari/ });
	await ui.click({ role: 'button', name: 'Got it' });
	await ui.gone(SHEET);

	// Once closed, it stays closed: a new page load does not bring it back.
	await driver.reload();
	await ui.see({ role: 'heading', name: /Papiers|Create|vault/i });
	expect(await ui.count(SHEET)).toBe(0);
});
