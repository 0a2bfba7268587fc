/**
 * Hostile condition: a tab closed in the middle of saves (QUALITY.md). Each round opens the app
 * in a new tab, starts a save and closes the tab after a random short delay, sometimes while
 * the scans are being sealed, sometimes during the final transaction. Afterwards every record
 * must open: the overview reports no unreadable record, and each element holds either its
 * previous or its new value, never a mix.
 */
import { expect, test, type Page } from '@playwright/test';
import { createVault, unlock } from './helpers';

const ROUNDS = 12;
const SCAN = 'tests/fixtures/scans/gps-small-640x480.jpg';

function seededRandom(seed: number) {
	return () => {
		seed = (seed * 1103515245 + 12345) & 0x7fffffff;
		return seed / 0x7fffffff;
	};
}

async function openUnlocked(page: Page, path: string) {
	await page.goto(path);
	await expect(page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
	await unlock(page);
	await expect(page.getByRole('button', { name: 'Save' })).toBeVisible({ timeout: 15_000 });
}

test('a tab closed in the middle of saves leaves every record readable', async ({ context }) => {
	test.setTimeout(180_000);
	const random = seededRandom(20261128);
	const first = await context.newPage();
	await createVault(first);
	await first.close();

	const tried: string[] = [];
	for (let round = 0; round < ROUNDS; round++) {
		const page = await context.newPage();
		const delay = Math.floor(random() * 40);
		if (round % 2 === 0) {
			const email = `round-${round}@example.org`;
			await openUnlocked(page, '/element/email');
			await page.getByLabel('Email address').fill(email);
			tried.push(email);
		} else {
			await openUnlocked(page, '/element/utility_bill');
			const chooser = page.waitForEvent('filechooser');
			await page
				.getByRole('button', { name: /^Choose from gallery/ })
				.first()
				.click();
			await (await chooser).setFiles(SCAN);
			await expect(page.getByRole('button', { name: /^View / }).first()).toBeVisible({
				timeout: 20_000
			});
		}
		await page.getByRole('button', { name: 'Save' }).click();
		await page.waitForTimeout(delay);
		await page.close({ runBeforeUnload: false });
	}

	const page = await context.newPage();
	await page.goto('/');
	await unlock(page);
	await expect(page.getByRole('heading', { name: 'Your papers' })).toBeVisible({ timeout: 15_000 });
	// Give the live listing a moment to report anything it could not open.
	await page.waitForTimeout(500);
	await expect(page.getByRole('heading', { name: /could not be opened|unreadable/i })).toHaveCount(
		0
	);

	const emailRow = page.locator('main a[href="/element/email"]');
	const text = (await emailRow.textContent()) ?? '';
	const saved = tried.filter((email) => text.includes(email));
	expect(saved.length === 1 || text.includes('Add an email address')).toBe(true);

	// The utility bill, if any round committed it, opens with every scan it references.
	await page.locator('main a[href="/element/utility_bill"]').click();
	const views = page.getByRole('button', { name: /^View / });
	const count = await views.count();
	for (let i = 0; i < count; i++) {
		await views.nth(i).click();
		const image = page.getByRole('dialog').getByRole('img');
		await expect(image).toHaveJSProperty('complete', true);
		expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
		await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
	}
	console.log(
		`tab-kill rounds tried: ${ROUNDS}; email committed: ${saved[0] ?? 'none'}; bill scans: ${count}`
	);
});
