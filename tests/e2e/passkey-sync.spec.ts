/**
 * Passkey unlock across a key rotation made on another device, with three Chromium instances
 * and a relay started here: B has a passkey (virtual authenticator) and is opened with it; A
 * removes C; B, holding no authority, is asked for the password once (the key-change notice),
 * after which its passkey wrap no longer opens and Settings offers to set it up again.
 */
import { chromium, devices, expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { chromiumArgs, WALLET_URL } from '../../playwright.config';
import { startRelay, type RunningRelay } from '../../scripts/relay.js';
import { createVault, PASSWORD, unlock } from './helpers';

const EXECUTABLE =
	process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const PASSKEY_BUTTON = 'Unlock with fingerprint or face';

let relay: RunningRelay;
const browsers: Browser[] = [];

async function launch(): Promise<Page> {
	const browser = await chromium.launch({ executablePath: EXECUTABLE, args: chromiumArgs });
	browsers.push(browser);
	const context = await browser.newContext({
		...devices['Pixel 7'],
		baseURL: WALLET_URL,
		locale: 'en-US'
	});
	return context.newPage();
}

const home = (page: Page) => page.getByRole('heading', { level: 1, name: 'Your papers' });

/** In-app navigation: a reload would lock the vault. */
async function tab(page: Page, name: 'Papers' | 'Devices' | 'Settings') {
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
}

async function useTestRelay(page: Page) {
	await page.getByLabel('Signaling relays (one per line)').fill(relay.url);
	await page.getByRole('button', { name: 'Save sync settings' }).click();
	await expect(page.getByText('Sync settings saved.')).toBeVisible();
}

async function pair(host: Page, joiner: Page, name: string) {
	// Through another tab, so /devices starts afresh after a previous pairing.
	await tab(host, 'Papers');
	await tab(host, 'Devices');
	await host.getByRole('button', { name: 'Add a device' }).click();
	const link = await host.getByLabel('One-time link').inputValue();
	await joiner.goto('/pair');
	await joiner.getByText('Connection settings').click();
	await useTestRelay(joiner);
	await joiner.getByLabel('Device name').fill(name);
	await joiner.goto(link);
	await expect(host.getByTestId('pairing-code')).toBeVisible({ timeout: 20_000 });
	await expect(joiner.getByTestId('pairing-code')).toBeVisible({ timeout: 20_000 });
	await host.getByRole('button', { name: 'The codes match' }).click();
	await expect(joiner.getByRole('heading', { name: 'Your vault is here. Unlock it' })).toBeVisible({
		timeout: 20_000
	});
	await unlock(joiner);
	await expect(home(joiner)).toBeVisible({ timeout: 30_000 });
}

test.beforeAll(async () => {
	relay = await startRelay({ port: 0 });
});
test.afterAll(async () => {
	for (const browser of browsers) await browser.close();
	await relay?.close();
});

test('after a device removal on another device, the passkey device asks for the password once, then sets it up again', async () => {
	test.setTimeout(300_000);
	const a = await launch();
	const b = await launch();
	const c = await launch();

	await createVault(a);
	await tab(a, 'Settings');
	await useTestRelay(a);
	await pair(a, b, 'Tablet B');
	await pair(a, c, 'Phone C');

	// B turns passkey unlock on, then opens with it (no authority in memory).
	const cdp = await b.context().newCDPSession(b);
	await cdp.send('WebAuthn.enable');
	await cdp.send('WebAuthn.addVirtualAuthenticator', {
		options: {
			protocol: 'ctap2',
			ctap2Version: 'ctap2_1',
			transport: 'internal',
			hasResidentKey: true,
			hasUserVerification: true,
			isUserVerified: true,
			hasPrf: true,
			automaticPresenceSimulation: true
		}
	});
	await tab(b, 'Settings');
	await b.getByRole('button', { name: 'Turn on fingerprint or face unlock' }).click();
	await expect(b.getByTestId('passkey-state')).toHaveText('On for this device.');
	await b.goto('/');
	await b.getByRole('button', { name: PASSKEY_BUTTON }).click();
	await expect(home(b)).toBeVisible({ timeout: 15_000 });

	// A removes C: a new key for A and B.
	await tab(a, 'Devices');
	await expect(a.getByTestId('device-row')).toHaveCount(3, { timeout: 30_000 });
	await a.getByRole('button', { name: 'Remove Phone C' }).click();
	const dialog = a.getByRole('dialog', { name: 'Remove Phone C?' });
	await dialog.getByLabel('Current password').fill(PASSWORD);
	await dialog.getByRole('button', { name: 'Remove Phone C' }).click();
	await expect(a.getByTestId('device-row')).toHaveCount(2, { timeout: 30_000 });

	// B, opened by passkey, is asked for the password once, and takes the new key with it.
	const notice = b.getByTestId('key-change');
	await expect(notice).toBeVisible({ timeout: 60_000 });
	await notice.getByLabel('Password', { exact: true }).fill(PASSWORD);
	await notice.getByRole('button', { name: 'Continue' }).click();
	await expect(notice).toHaveCount(0, { timeout: 60_000 });

	// The wrap was made for the old key: Settings says so; the unlock screen asks for the password.
	await tab(b, 'Settings');
	await expect(b.getByTestId('passkey-state')).toContainText('Needs setting up again');
	await b.goto('/');
	await expect(b.getByText('Unlock with your password once')).toBeVisible();
	await expect(b.getByRole('button', { name: PASSKEY_BUTTON })).toHaveCount(0);
	await unlock(b);
	await expect(home(b)).toBeVisible({ timeout: 30_000 });

	// One touch sets it up again under the new key.
	await tab(b, 'Settings');
	await b.getByRole('button', { name: 'Set up fingerprint or face unlock again' }).click();
	await expect(b.getByTestId('passkey-state')).toHaveText('On for this device.');
	await b.goto('/');
	await b.getByRole('button', { name: PASSKEY_BUTTON }).click();
	await expect(home(b)).toBeVisible({ timeout: 15_000 });
});
