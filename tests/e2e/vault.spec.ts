import { expect, test, type Page } from '@playwright/test';
import { PASSWORD, createVault, unlock } from './helpers';

/** What the wallet keeps on this origin: its IndexedDB databases and localStorage keys. */
function walletStorage(page: Page): Promise<{ databases: string[]; keys: string[] }> {
	return page.evaluate(async () => ({
		databases: (await indexedDB.databases())
			.map(({ name }) => name ?? '')
			.filter((name) => name === 'papiers' || name.startsWith('papiers-'))
			.sort(),
		keys: Object.keys(localStorage)
			.filter((key) => key.startsWith('papiers.') || key === 'PARAGLIDE_LOCALE')
			.sort()
	}));
}

/** The Argon2id worker, which saw the password; Playwright lists a page's dedicated workers. */
const kdfWorkers = (page: Page) => page.workers().filter((worker) => /kdf/.test(worker.url()));

test('first run, lock, unlock, change password and reset', async ({ page }) => {
	await page.goto('/settings');
	await expect(page).toHaveURL(/\/setup$/);
	await expect(page.getByText(/Nobody can recover a forgotten password/)).toBeVisible();

	// Bad input first: nothing is created.
	await page.getByLabel('Password', { exact: true }).fill('short');
	await page.getByRole('button', { name: 'Create vault' }).click();
	await expect(page.getByText('Use at least 8 characters.')).toBeVisible();
	await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
	await page.getByLabel('Confirm password', { exact: true }).fill('something else');
	await expect(page.getByText('The two passwords do not match.')).toBeVisible();
	await expect(page).toHaveURL(/\/setup$/);

	await createVault(page);
	expect(kdfWorkers(page)).toHaveLength(1);
	await page.getByRole('button', { name: 'Lock' }).click();
	await expect(page).toHaveURL(/\/unlock/);
	// Locking ends the worker that derived the key from the password; unlocking makes a new one.
	await expect.poll(() => kdfWorkers(page).length).toBe(0);

	await unlock(page, 'not the password');
	await expect(page.getByText('Wrong password. Nothing was changed; try again.')).toBeVisible();
	await unlock(page);
	await expect(page.getByRole('heading', { name: 'Your papers' })).toBeVisible();
	expect(kdfWorkers(page)).toHaveLength(1);

	await page.getByRole('link', { name: 'Settings' }).click();
	// Settings of this device, kept in localStorage: they go with the vault when it is erased.
	await page.getByLabel('Lock automatically after').selectOption('10');
	await page.getByLabel('Language').selectOption('fr');
	await page.getByLabel('Langue').selectOption('en');
	await page.getByLabel('Current password').fill('wrong one');
	await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
	await page.getByLabel('Confirm new password').fill('a brand new passphrase');
	await page.getByRole('button', { name: 'Change password' }).click();
	await expect(page.getByText('Wrong password. Nothing was changed; try again.')).toBeVisible();
	await page.getByLabel('Current password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Change password' }).click();
	await expect(page.getByText('Password changed.')).toBeVisible({ timeout: 15_000 });

	await page.getByRole('button', { name: 'Lock' }).click();
	await unlock(page, PASSWORD);
	await expect(page.getByText('Wrong password. Nothing was changed; try again.')).toBeVisible();
	await unlock(page, 'a brand new passphrase');
	// Locking from a page brings the person back to it after unlocking.
	await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();

	// Sync ran while unlocked: this device's identity and the sync document have their databases.
	await expect
		.poll(async () => (await walletStorage(page)).databases)
		.toEqual(['papiers', 'papiers-device', 'papiers-sync']);
	expect((await walletStorage(page)).keys).toEqual(['PARAGLIDE_LOCALE', 'papiers.autoLockMinutes']);

	// Forgotten password: erase after typing the confirmation word.
	await page.getByRole('button', { name: 'Lock' }).click();
	await page.getByRole('link', { name: 'Forgot password?' }).click();
	// The page says what goes and what stays.
	await expect(page.getByText('your papers and their photos')).toBeVisible();
	await expect(page.getByText('the history of what you shared')).toBeVisible();
	await expect(page.getByText("this device's identity among your devices")).toBeVisible();
	await expect(page.getByText("this device's settings")).toBeVisible();
	await expect(page.getByText('Your other devices keep their papers')).toBeVisible();
	await page.getByLabel('Type ERASE to confirm').fill('erase please');
	await page.getByRole('button', { name: 'Erase everything' }).click();
	await expect(page.getByText('Type ERASE exactly to confirm.')).toBeVisible();
	await page.getByLabel('Type ERASE to confirm').fill('ERASE');
	await page.getByRole('button', { name: 'Erase everything' }).click();
	await expect(page).toHaveURL(/\/setup$/);
	// Nothing of the wallet is left on this device: no database, no setting.
	expect(await walletStorage(page)).toEqual({ databases: [], keys: [] });
	await page.goto('/unlock');
	await expect(page).toHaveURL(/\/setup$/);
	// Opening the wallet again does not make a database before a vault is created. (Paraglide
	// writes the language it resolved at each start, so that key is back already.)
	expect((await walletStorage(page)).databases).toEqual([]);
});

test.describe('in French', () => {
	test.use({ locale: 'fr-FR' });

	test('the same journey speaks French', async ({ page }) => {
		await page.goto('/');
		await expect(page.getByRole('heading', { name: 'Créez votre mot de passe' })).toBeVisible();
		await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
		await createVault(page, PASSWORD, 'fr');
		await expect(page.getByRole('heading', { name: 'Vos papiers' })).toBeVisible();
		await page.getByRole('button', { name: 'Verrouiller' }).click();
		await page.getByLabel('Mot de passe', { exact: true }).fill('mauvais mot de passe');
		await page.getByRole('button', { name: 'Déverrouiller' }).click();
		await expect(
			page.getByText('Mot de passe incorrect. Rien n’a été modifié ; réessayez.')
		).toBeVisible();
		await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
		await page.getByRole('button', { name: 'Déverrouiller' }).click();
		await page.getByRole('link', { name: 'Réglages' }).click();
		await page.getByLabel('Mot de passe actuel').fill(PASSWORD);
		await page
			.getByLabel('Nouveau mot de passe', { exact: true })
			.fill('une toute nouvelle phrase');
		await page.getByLabel('Confirmez le nouveau mot de passe').fill('une toute nouvelle phrase');
		await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
		await expect(page.getByText('Mot de passe changé.')).toBeVisible({ timeout: 15_000 });

		// Switching language applies at once and keeps the vault unlocked.
		await page.getByLabel('Langue').selectOption('en');
		await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
		await expect(page.getByRole('button', { name: 'Lock' })).toBeVisible();
		await page.reload();
		await expect(page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();

		await page.getByRole('link', { name: 'Forgot password?' }).click();
		await page.getByLabel('Type ERASE to confirm').fill('ERASE');
		await page.getByRole('button', { name: 'Erase everything' }).click();
		await expect(page).toHaveURL(/\/setup$/);
	});
});

test('auto-lock after the chosen idle time', async ({ page }) => {
	await page.clock.install();
	await createVault(page);
	await page.getByRole('link', { name: 'Settings' }).click();
	await page.getByLabel('Lock automatically after').selectOption('1');
	await page.clock.fastForward('00:50');
	await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
	await page.clock.fastForward('00:15');
	await expect(page).toHaveURL(/\/unlock\?next=%2Fsettings/);
	await unlock(page);
	await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
	await expect(page.getByLabel('Lock automatically after')).toHaveValue('1');
});

test('locks on return when the app was hidden for longer than the auto-lock time', async ({
	page
}) => {
	await page.clock.install();
	await createVault(page);
	const setVisibility = (state: 'hidden' | 'visible') =>
		page.evaluate((state) => {
			Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
			document.dispatchEvent(new Event('visibilitychange'));
		}, state);

	// Hidden briefly: still unlocked on return.
	await setVisibility('hidden');
	await page.clock.fastForward('01:00');
	await setVisibility('visible');
	await expect(page.getByRole('heading', { name: 'Your papers' })).toBeVisible();

	// Hidden past the default 5 minutes: timers may not have run (phones suspend them), so the
	// return itself locks. setSystemTime moves the clock without firing the idle timer.
	await setVisibility('hidden');
	await page.clock.setSystemTime(Date.now() + 10 * 60_000);
	await setVisibility('visible');
	await expect(page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
});
