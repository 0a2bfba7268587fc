import { expect, test, type BrowserContext } from '@playwright/test';
import { createVault, unlock } from './helpers';
import { WALLET_URL } from '../../playwright.config';

// `?next=` values the WHATWG URL parser turns into another host: it drops tabs and newlines,
// and reads `\` as `/`. Each once led the Back link (or the unlock) to evil.example.
const ATTACKS = ['/\t/evil.example', '/\n/evil.example', '/\r/evil.example', '/\t\\evil.example'];

/** Any page of evil.example is answered here, so leaving the wallet shows and nothing waits on DNS. */
async function catchEvilSite(context: BrowserContext) {
	await context.route(/^https?:\/\/evil\.example\//, (route) =>
		route.fulfill({ contentType: 'text/html', body: '<h1>Phishing page</h1>' })
	);
}

test('the Back link on a paper stays in the wallet, whatever ?next= says', async ({
	page,
	context
}) => {
	await catchEvilSite(context);
	await createVault(page);
	for (const attack of ATTACKS) {
		// A page load starts locked: the unlock screen comes first, then the paper.
		await page.goto(`/element/passport?next=${encodeURIComponent(attack)}`);
		await unlock(page);
		const back = page.getByRole('link', { name: '← Back' });
		// Unlocking runs the password hash: generous bound for a loaded machine.
		await expect(back).toBeVisible({ timeout: 30_000 });
		expect(new URL(await back.evaluate((link: HTMLAnchorElement) => link.href)).origin).toBe(
			WALLET_URL
		);
		await back.click();
		await expect(page.getByRole('heading', { name: 'Your papers' })).toBeVisible();
		expect(page.url()).toBe(`${WALLET_URL}/`);
	}
});

// Same-origin paths SvelteKit's router cannot decode (it runs decodeURI on the path and
// decodeURIComponent on the fragment): its goto throws and the page would wait forever.
const UNDECODABLE = ['/%E0%A4%A', '/element/passport%C0', '/settings#%E0%A4%A'];

test('unlocking with a refused ?next= lands on the papers, never stuck on "Loading…"', async ({
	page,
	context
}) => {
	await catchEvilSite(context);
	await createVault(page);
	for (const attack of [...ATTACKS, ...UNDECODABLE]) {
		await page.getByRole('button', { name: 'Lock' }).click();
		await expect(page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
		await page.goto(`/unlock?next=${encodeURIComponent(attack)}`);
		await unlock(page);
		// Unlocking runs the password hash: generous bound for a loaded machine.
		await expect(page.getByRole('heading', { name: 'Your papers' })).toBeVisible({
			timeout: 30_000
		});
		expect(page.url()).toBe(`${WALLET_URL}/`);
	}
});
