/**
 * The consent history: a cancellation and a failed request both appear, newest first, can be
 * searched, and open in a detail view. (Authorizations are recorded by the consent spec's flows.)
 */
import { expect, test } from '@playwright/test';
import { createVault } from './helpers';
import { openSignUp, withParam, EXAMPLE_ORIGIN } from './consent-helpers';

test('cancellations and failures are kept, newest first, searchable, with details', async ({
	page
}) => {
	await createVault(page);
	const { consentUrl } = await openSignUp(page);

	// A request the wallet refuses, arriving (as links from other sites do) with the vault locked:
	// sealed to the vault's inbox, it joins the history at the next unlock.
	await page.goto(withParam(consentUrl, 'scope', '{"v":1,"d":[broken'));
	await expect(
		page.getByRole('heading', { name: 'This request cannot be processed' })
	).toBeVisible();
	// The entry is written in the background; a person reads the screen, the test waits for it.
	await page.waitForFunction(
		() =>
			new Promise<boolean>((resolve) => {
				const open = indexedDB.open('papiers');
				open.onsuccess = () => {
					const db = open.result;
					if (!db.objectStoreNames.contains('inbox')) return resolve(false);
					const count = db.transaction('inbox').objectStore('inbox').count();
					count.onsuccess = () => resolve(count.result > 0);
				};
			})
	);

	// A valid request, cancelled after confirmation.
	await page.goto(consentUrl);
	await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
	await page.getByRole('button', { name: 'Unlock' }).click();
	await page.getByRole('button', { name: 'Cancel' }).click();
	await page
		.getByRole('alertdialog')
		.getByRole('button', { name: 'Yes, cancel and return' })
		.click();
	await expect(page).toHaveURL(/tg_passport=cancel/);

	await page.goto('/history');
	await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
	await page.getByRole('button', { name: 'Unlock' }).click();
	await expect(page.getByRole('heading', { name: 'History' })).toBeVisible({ timeout: 15_000 });
	const entries = page.locator('main ul li');
	await expect(entries).toHaveCount(2);
	await expect(entries.nth(0)).toContainText('Cancelled');
	await expect(entries.nth(0)).toContainText(EXAMPLE_ORIGIN);
	await expect(entries.nth(0)).toContainText('Asked for: Personal details');
	await expect(entries.nth(1)).toContainText('Failed');
	await expect(entries.nth(1)).toContainText('SCOPE_INVALID');

	await page.getByLabel('Search history').fill('scope_invalid');
	await expect(entries).toHaveCount(1);
	await page.getByLabel('Search history').fill('nothing like this');
	await expect(page.getByText('No entry matches your search.')).toBeVisible();
	await page.getByLabel('Search history').fill('');

	await entries.nth(0).getByRole('link').click();
	await expect(page.getByRole('heading', { name: 'Details' })).toBeVisible();
	await expect(page.getByText('Example Service')).toBeVisible();
	await expect(page.getByText('1000000001')).toBeVisible();
});
