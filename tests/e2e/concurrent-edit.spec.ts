/**
 * No edit is lost silently: when an element is saved elsewhere (another tab here; another device
 * through sync arrives the same way) while an editor has it open, saving asks which version stays.
 */
import { expect, test, type Page } from '@playwright/test';
import { createVault, unlock } from './helpers';
import { homeRow } from './fill';

async function editEmail(page: Page, value: string) {
	await page.getByLabel('Email address').fill(value);
	await page.getByRole('button', { name: 'Save', exact: true }).click();
}

test('a save over a version changed elsewhere asks which one to keep', async ({
	page,
	context
}) => {
	await createVault(page);
	await homeRow(page, 'email').click();
	await editEmail(page, 'first@example.org');
	await expect(homeRow(page, 'email')).toContainText('first@example.org');

	// This tab opens the editor; another tab saves a new address meanwhile.
	await homeRow(page, 'email').click();
	await expect(page.getByLabel('Email address')).toHaveValue('first@example.org');
	const other = await context.newPage();
	await other.goto('/element/email');
	await unlock(other);
	await editEmail(other, 'other-tab@example.org');
	await expect(homeRow(other, 'email')).toContainText('other-tab@example.org');

	await editEmail(page, 'mine@example.org');
	await expect(page.getByText(/changed on another device or tab/)).toBeVisible();
	await page.getByRole('button', { name: 'See the other version' }).click();
	await expect(page.getByLabel('Email address')).toHaveValue('other-tab@example.org');

	// Again, and this time the person keeps their own version.
	await other.goto('/element/email');
	await unlock(other);
	await editEmail(other, 'other-again@example.org');
	await expect(homeRow(other, 'email')).toContainText('other-again@example.org');
	await editEmail(page, 'mine@example.org');
	await expect(page.getByText(/changed on another device or tab/)).toBeVisible();
	await page.getByRole('button', { name: 'Keep my version' }).click();
	await expect(homeRow(page, 'email')).toContainText('mine@example.org');
	await other.reload();
	await unlock(other);
	await expect(homeRow(other, 'email')).toContainText('mine@example.org');
});
