/**
 * Passkey unlock (WebAuthn PRF) with Chromium's virtual authenticator, driven over CDP. The
 * authenticator belongs to the tab: every fresh load here stays in the same tab, as a person
 * following a consent link on their phone would.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { createVault, unlock } from './helpers';
import {
	expectConsentScreen,
	makeServiceKey,
	receivedDelivery,
	startCallbackServer,
	type CallbackServer
} from './consent-helpers';
import { addFromHome, fillEmail } from './fill';
import { buildConsentUrl } from '../../src/lib/service/index';
import { WALLET_URL } from '../../playwright.config';

const EMAIL = 'passkey.person@example.org';
const PASSKEY_BUTTON = 'Unlock with fingerprint or face';
const TURN_ON = 'Turn on fingerprint or face unlock';

interface Authenticator {
	cdp: CDPSession;
	authenticatorId: string;
}

async function addAuthenticator(page: Page, options: { hasPrf: boolean }): Promise<Authenticator> {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('WebAuthn.enable');
	const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
		options: {
			protocol: 'ctap2',
			ctap2Version: 'ctap2_1',
			transport: 'internal',
			hasResidentKey: true,
			hasUserVerification: true,
			isUserVerified: true,
			hasPrf: options.hasPrf,
			automaticPresenceSimulation: true
		}
	});
	return { cdp, authenticatorId };
}

async function openSettings(page: Page) {
	await page.getByRole('link', { name: 'Settings' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
}

async function turnOnPasskey(page: Page) {
	await openSettings(page);
	await page.getByRole('button', { name: TURN_ON }).click();
	await expect(page.getByTestId('passkey-state')).toHaveText('On for this device.');
}

/** axe-core: no serious or critical violation on what the passkey adds. */
async function expectAccessible(page: Page, where: string) {
	const { violations } = await new AxeBuilder({ page }).analyze();
	const serious = violations
		.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
		.map((violation) => violation.id);
	expect(serious, `axe on ${where}`).toEqual([]);
}

/** Locks, then comes back to the home screen's unlock (a fresh load in the same tab). */
async function lock(page: Page) {
	await page.getByRole('button', { name: 'Lock', exact: true }).click();
	await expect(page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
	await page.goto('/');
	await expect(page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
}

/** The home screen after an unlock (a password unlock runs Argon2id: generous on a loaded CI). */
async function expectHome(page: Page) {
	await expect(page.getByRole('heading', { name: 'Your papers' })).toBeVisible({ timeout: 30_000 });
}

test.describe('with a PRF authenticator', () => {
	let service: CallbackServer;
	test.beforeEach(async () => {
		service = await startCallbackServer();
	});
	test.afterEach(async () => {
		await service.close();
	});

	test('turn on, lock, one touch opens; a consent link loaded in the same tab opens by passkey and delivers', async ({
		page
	}) => {
		test.setTimeout(180_000);
		await createVault(page);
		const { cdp, authenticatorId } = await addAuthenticator(page, { hasPrf: true });
		await addFromHome(page, 'email', (p) => fillEmail(p, EMAIL));
		await turnOnPasskey(page);
		await expectAccessible(page, 'Settings with passkey unlock on');
		const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
		expect(credentials).toHaveLength(1);
		expect(credentials[0].isResidentCredential).toBe(true);

		await lock(page);
		// The passkey comes first; the password is still there.
		const passkey = page.getByRole('button', { name: PASSKEY_BUTTON });
		await expect(passkey).toBeVisible();
		await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
		await expectAccessible(page, 'the unlock screen with a passkey');
		await passkey.click();
		await expectHome(page);
		await expect(page.getByText(EMAIL)).toBeVisible();

		// A consent link: a fresh load, locked, in the same tab.
		const key = makeServiceKey();
		await page.goto(
			buildConsentUrl({
				walletUrl: WALLET_URL,
				botId: '777000111',
				scope: { v: 1, d: ['em'] },
				publicKey: key.publicKeyPem,
				nonce: 'passkey-nonce',
				callbackUrl: `${service.origin}/cb`
			})
		);
		await page.getByRole('button', { name: PASSKEY_BUTTON }).click();
		await expectConsentScreen(page, service.origin);
		await page.getByRole('button', { name: 'Authorize' }).click();
		const passport = await receivedDelivery({ page, service, key, nonce: 'passkey-nonce' });
		expect(passport.byType.email?.email).toBe(EMAIL);
	});

	test('user verification fails: the vault stays locked, the password still works', async ({
		page
	}) => {
		test.setTimeout(120_000);
		await createVault(page);
		const { cdp, authenticatorId } = await addAuthenticator(page, { hasPrf: true });
		await turnOnPasskey(page);
		await lock(page);

		await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
		await page.getByRole('button', { name: PASSKEY_BUTTON }).click();
		await expect(page.getByRole('alert')).toContainText(
			'Fingerprint or face unlock did not go through'
		);
		await expect(page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
		await expect(page.getByRole('link', { name: 'Settings' })).toHaveCount(0);

		await unlock(page);
		await expectHome(page);
	});

	test('a passkey deleted from the platform: a clear message, the password works; turning it off removes the button', async ({
		page
	}) => {
		test.setTimeout(120_000);
		await createVault(page);
		const { cdp, authenticatorId } = await addAuthenticator(page, { hasPrf: true });
		await turnOnPasskey(page);
		await lock(page);

		await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
		await page.getByRole('button', { name: PASSKEY_BUTTON }).click();
		await expect(page.getByRole('alert')).toContainText(
			'the passkey was deleted from this device',
			{
				timeout: 30_000
			}
		);
		await unlock(page);
		await expectHome(page);

		await openSettings(page);
		await page.getByRole('button', { name: 'Turn off fingerprint or face unlock' }).click();
		await expect(page.getByTestId('passkey-state')).toHaveText('Off.');
		await lock(page);
		await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
		await expect(page.getByRole('button', { name: PASSKEY_BUTTON })).toHaveCount(0);
	});

	test('a wrap older than the vault key: the password once, Settings says so, one touch sets it up again', async ({
		page
	}) => {
		test.setTimeout(120_000);
		await createVault(page);
		await addAuthenticator(page, { hasPrf: true });
		await turnOnPasskey(page);
		await lock(page);
		// What a key rotation on another device leaves here: the wrap names an older generation
		// (the unit tests do it with a real rotation; two browsers and sync are not driven here).
		await page.evaluate(
			() =>
				new Promise<void>((resolve, reject) => {
					const open = indexedDB.open('papiers-passkey');
					open.onerror = () => reject(open.error);
					open.onsuccess = () => {
						const db = open.result;
						const store = db.transaction('passkey', 'readwrite').objectStore('passkey');
						const get = store.get('this-device');
						get.onsuccess = () => {
							const put = store.put({ ...get.result, keyGeneration: 0 });
							put.onsuccess = () => {
								db.close();
								resolve();
							};
						};
					};
				})
		);
		await page.reload();
		await expect(page.getByText('Unlock with your password once')).toBeVisible();
		await expect(page.getByRole('button', { name: PASSKEY_BUTTON })).toHaveCount(0);
		await expectAccessible(page, 'the unlock screen with a stale passkey');
		await unlock(page);
		await expectHome(page);

		await openSettings(page);
		await expect(page.getByTestId('passkey-state')).toContainText('Needs setting up again');
		await page.getByRole('button', { name: 'Set up fingerprint or face unlock again' }).click();
		await expect(page.getByTestId('passkey-state')).toHaveText('On for this device.');
		await lock(page);
		await page.getByRole('button', { name: PASSKEY_BUTTON }).click();
		await expectHome(page);
	});
});

test('an authenticator without PRF: the option goes away, nothing is stored, the password works', async ({
	page
}) => {
	test.setTimeout(120_000);
	await createVault(page);
	const { cdp, authenticatorId } = await addAuthenticator(page, { hasPrf: false });
	await openSettings(page);
	await page.getByRole('button', { name: TURN_ON }).click();
	await expect(page.getByRole('alert')).toContainText('this option is not offered here');
	await expect(page.getByRole('button', { name: TURN_ON })).toHaveCount(0);
	// The credential made to find out was signalled unknown, and Chromium removed it.
	const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
	expect(credentials).toHaveLength(0);

	await lock(page);
	await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
	await expect(page.getByRole('button', { name: PASSKEY_BUTTON })).toHaveCount(0);
	await unlock(page);
	await expectHome(page);
	await openSettings(page);
	await expect(page.getByRole('button', { name: TURN_ON })).toHaveCount(0);
	await expect(page.getByRole('heading', { name: 'Security' })).toHaveCount(0);
});

test('a browser without WebAuthn: no Security option, no error', async ({ page }) => {
	test.setTimeout(120_000);
	await page.addInitScript(() => {
		// @ts-expect-error: the browser as an old or locked-down one has it
		delete window.PublicKeyCredential;
	});
	await createVault(page);
	await openSettings(page);
	await expect(page.getByRole('heading', { name: 'Change password' })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Security' })).toHaveCount(0);
	await expect(page.getByRole('alert')).toHaveCount(0);
});
