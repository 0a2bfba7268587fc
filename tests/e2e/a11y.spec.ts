/**
 * axe-core on every page of the wallet a person reaches without a service (setup, unlock, reset,
 * settings, the papers overview and the 13 element editors), on a Pixel 7 and at 360 px wide,
 * in the states that add content: errors shown, a photo added, a dialog open. Serious and
 * critical violations fail; so does a control of the papers screens smaller than 44 px.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { createVault } from './helpers';
import { ELEMENT_TYPES } from '../../src/lib/passport/types';

const PHOTO = join(import.meta.dirname, '../fixtures/scans/gps-small-640x480.jpg');

async function expectNoSeriousViolations(page: Page, where: string) {
	const { violations } = await new AxeBuilder({ page }).analyze();
	const serious = violations
		.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
		.map((violation) => ({
			rule: violation.id,
			impact: violation.impact,
			nodes: violation.nodes.map((node) => node.target.join(' ')).slice(0, 5)
		}));
	expect(serious, `axe on ${where}`).toEqual([]);
}

/** Every visible control in the page's main content (or an open dialog) is at least 44x44 px. */
async function expectLargeTargets(page: Page, where: string) {
	const small = await page.evaluate(() => {
		const root = document.querySelector('dialog[open]') ?? document.querySelector('main')!;
		const controls = root.querySelectorAll<HTMLElement>(
			'a[href], button, select, input:not([type=radio]):not([type=checkbox]):not([hidden]), label.check-row'
		);
		return Array.from(controls)
			.filter((control) => control.getClientRects().length > 0)
			.map((control) => {
				const box = control.getBoundingClientRect();
				return {
					text: (control.textContent ?? control.id).trim().slice(0, 40),
					w: box.width,
					h: box.height
				};
			})
			.filter((box) => box.w < 44 || box.h < 44);
	});
	expect(small, `targets under 44 px on ${where}`).toEqual([]);
}

/** No part of the page is wider than the screen: nothing to scroll sideways at 360 px. */
async function expectNoSidewaysScroll(page: Page, where: string) {
	const overflow = await page.evaluate(
		() => document.documentElement.scrollWidth - document.documentElement.clientWidth
	);
	expect(overflow, `horizontal overflow on ${where}`).toBeLessThanOrEqual(0);
}

async function check(page: Page, where: string, { papers = false } = {}) {
	await expectNoSeriousViolations(page, where);
	await expectNoSidewaysScroll(page, where);
	if (papers) await expectLargeTargets(page, where);
}

for (const viewport of [undefined, { width: 360, height: 740 }]) {
	const size = viewport ? `${viewport.width} px` : 'Pixel 7';

	test.describe(`accessibility at ${size}`, () => {
		if (viewport) test.use({ viewport });

		test('every page, editor and dialog', async ({ page }) => {
			test.setTimeout(180_000);
			await page.goto('/');
			await expect(page).toHaveURL(/\/setup$/);
			await check(page, '/setup');
			await page.getByRole('button', { name: 'Create vault' }).click();
			await check(page, '/setup with errors');

			await createVault(page);
			await check(page, '/', { papers: true });

			for (const type of ELEMENT_TYPES) {
				await page.locator(`main a[href="/element/${type}"]`).click();
				await expect(page.getByRole('button', { name: 'Save' })).toBeVisible();
				await check(page, `/element/${type}`, { papers: true });
				await page.getByRole('button', { name: 'Save' }).click();
				await expect(page.locator('[aria-invalid="true"], [data-invalid]').first()).toBeAttached();
				await check(page, `/element/${type} with errors`, { papers: true });
				await page.getByRole('link', { name: '← Back' }).click();
				await expect(page.getByRole('heading', { level: 1, name: 'Your papers' })).toBeVisible();
			}

			// Native names, a photo, the full-size view and the delete dialog.
			await page.locator('main a[href="/element/personal_details"]').click();
			await page.getByLabel('Country of residence').fill('Japan');
			await expect(page.getByLabel('First name in native script')).toBeVisible();
			await check(page, '/element/personal_details with native names', { papers: true });
			await page.getByRole('link', { name: '← Back' }).click();

			await page.locator('main a[href="/element/passport"]').click();
			await page.getByLabel('Document number').fill('A11Y0001');
			await page.getByLabel('Expiry date (optional)').fill('2001-01-01');
			const chooser = page.waitForEvent('filechooser');
			await page
				.getByRole('group', { name: 'Front side' })
				.getByRole('button', { name: /^Choose from gallery/ })
				.click();
			await (await chooser).setFiles(PHOTO);
			await page.getByRole('button', { name: /^View Front side/ }).click();
			await expect(page.getByRole('dialog')).toBeVisible();
			await check(page, 'full-size view', { papers: true });
			await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
			await check(page, '/element/passport with a photo', { papers: true });
			await page.getByRole('button', { name: 'Save' }).click();
			await expect(page.getByText('This document has expired.')).toBeVisible();
			await check(page, '/ with an expired passport', { papers: true });
			await page.locator('main a[href="/element/passport"]').click();
			await page.getByRole('button', { name: 'Delete' }).click();
			await expect(page.getByRole('alertdialog')).toBeVisible();
			await check(page, 'delete confirmation', { papers: true });
			await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();

			await page.getByRole('link', { name: 'Settings' }).click();
			await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
			await check(page, '/settings');

			await page.getByRole('button', { name: 'Lock' }).click();
			await expect(page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
			await check(page, '/unlock');
			await page.getByRole('link', { name: 'Forgot password?' }).click();
			await expect(page).toHaveURL(/\/reset$/);
			await check(page, '/reset');
		});
	});
}
