import { expect, type Page } from '@playwright/test';

export const PASSWORD = 'correct horse battery staple';

/** First run: create the vault and land on the papers page. */
export async function createVault(page: Page, password = PASSWORD, language: 'en' | 'fr' = 'en') {
	const text =
		language === 'en'
			? {
					password: 'Password',
					confirm: 'Confirm password',
					ack: /forgotten password cannot/,
					submit: 'Create vault'
				}
			: {
					password: 'Mot de passe',
					confirm: 'Confirmez le mot de passe',
					ack: /mot de passe oublié ne peut/,
					submit: 'Créer le coffre'
				};
	await page.goto('/');
	await expect(page).toHaveURL(/\/setup$/);
	await page.getByLabel(text.password, { exact: true }).fill(password);
	await page.getByLabel(text.confirm, { exact: true }).fill(password);
	await page.getByLabel(text.ack).check();
	await page.getByRole('button', { name: text.submit }).click();
	// Argon2id (64 MiB) runs here: the config's bound, made for a loaded machine, applies.
	await expect(page).toHaveURL(/\/$/);
}

export async function unlock(page: Page, password = PASSWORD) {
	await page.getByLabel('Password', { exact: true }).fill(password);
	await page.getByRole('button', { name: 'Unlock', exact: true }).click();
}

/** Waits until the service worker controls the page, so going offline is meaningful. */
export async function waitForServiceWorker(page: Page) {
	await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
		timeout: 20_000
	});
}
