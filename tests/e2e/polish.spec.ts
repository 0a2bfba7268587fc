/**
 * Issue 11, part 5: what a new user stumbled on. Password toggles drawn with an icon set (emoji
 * show as empty boxes where no emoji font exists), service facts that wrap without splitting
 * words, one set of brackets per label, a hint that native-name fields exist, a fragment request
 * too large to deliver said before anything is filled in, and the example service's tab icon
 * allowed by its own CSP.
 */
import { expect, test, type Page } from '@playwright/test';
import { buildConsentUrl, type BuildConsentUrlOptions } from '../../src/lib/service/index';
import { EXAMPLE_URL, WALLET_URL } from '../../playwright.config';
import {
	createVaultInPlace,
	expectConsentScreen,
	makeServiceKey,
	type ServiceKey
} from './consent-helpers';
import { addPhotos, saveEditor, scanGroup } from './fill';
import { createVault } from './helpers';

let key: ServiceKey;
test.beforeAll(() => {
	key = makeServiceKey();
});

const CALLBACK = `${EXAMPLE_URL}/callback`;
const CALLBACK_ORIGIN = new URL(EXAMPLE_URL).origin;

function consentUrl(options: {
	scope: BuildConsentUrlOptions['scope'];
	responseMode?: 'form_post' | 'fragment';
	serviceName?: string;
}): string {
	return buildConsentUrl({
		walletUrl: WALLET_URL,
		botId: '4242',
		publicKey: key.publicKeyPem,
		nonce: 'polish-nonce',
		callbackUrl: CALLBACK,
		...options
	});
}

test('the show/hide password button is an icon, not an emoji', async ({ page }) => {
	await page.goto('/setup');
	const toggle = page.getByRole('button', { name: 'Show password' }).first();
	await expect(toggle.locator('svg')).toHaveCount(1);
	const shown = await toggle.locator('svg').innerHTML();
	// No character from the emoji and symbol blocks: only the drawing.
	expect(await toggle.textContent()).not.toMatch(/[\u{2190}-\u{2BFF}\u{1F000}-\u{1FFFF}]/u);
	await toggle.click();
	const hide = page.getByRole('button', { name: 'Hide password' }).first();
	await expect(hide).toHaveAttribute('aria-pressed', 'true');
	expect(await hide.locator('svg').innerHTML()).not.toBe(shown);
});

test.describe('at 360 px wide', () => {
	test.use({ viewport: { width: 360, height: 740 } });

	test('service facts wrap between words, and a long URL wraps without scrolling sideways', async ({
		page
	}) => {
		const url = 'https://tenancy-office.example.org/identity-checks';
		const serviceName = `The tenancy office that checks papers ${url} for tenants`;
		expect(serviceName.length).toBeLessThanOrEqual(100);
		await page.goto(consentUrl({ scope: { v: 1, d: ['em'] }, serviceName }));
		await createVaultInPlace(page);
		await expectConsentScreen(page, CALLBACK_ORIGIN);
		const facts = page.locator('.service-facts dd').first();
		await expect(facts).toContainText('The tenancy office');
		const split = await facts.evaluate((dd, url) => {
			const text = dd.firstChild as Text;
			const urlStart = text.data.indexOf(url);
			const splitWords: string[] = [];
			const lines = new Set<number>();
			for (const match of text.data.matchAll(/\S+/g)) {
				const range = document.createRange();
				range.setStart(text, match.index);
				range.setEnd(text, match.index + match[0].length);
				const rects = [...range.getClientRects()].filter((rect) => rect.width > 0);
				for (const rect of rects) lines.add(Math.round(rect.top));
				// A word that stays whole sits on one line; one cut at the edge has a box per line.
				// The URL, longer than a line, may wrap anywhere.
				if (rects.length > 1 && match.index !== urlStart) splitWords.push(match[0]);
			}
			return { splitWords, lines: lines.size };
		}, url);
		expect(split.lines, 'the name is long enough to wrap').toBeGreaterThan(2);
		expect(split.splitWords).toEqual([]);
		const overflow = await page.evaluate(
			() => document.documentElement.scrollWidth - document.documentElement.clientWidth
		);
		expect(overflow).toBeLessThanOrEqual(0);
	});
});

test('personal details: a hint says native-name fields exist, and their labels have one set of brackets', async ({
	page
}) => {
	await createVault(page);
	await page.locator('main a[href="/element/personal_details"]').click();
	const residence = page.getByLabel('Country of residence');
	const hint =
		'Living in a country whose documents write names in another script (Cyrillic, Greek, Arabic, Chinese…)? Fields for your name in that script appear once you pick it.';
	// Before any country is picked, and read out with the field.
	await expect(residence).toHaveAccessibleDescription(new RegExp(hint.replace(/[()?.…]/g, '.')));
	await expect(page.getByTestId('country-note')).toHaveText(hint);

	await residence.fill('Japan');
	await residence.blur();
	await expect(page.getByLabel('First name in native script')).toBeVisible();
	await expect(page.getByLabel('Middle name in native script (optional)')).toBeVisible();
	await expect(page.getByText('(native script)')).toHaveCount(0);
	await expect(page.getByTestId('country-note')).toHaveCount(0);
});

/** A 2048 x 2048 JPEG of noise: the one kind of photo that stays big once re-encoded. */
async function noisyPhoto(page: Page): Promise<Buffer> {
	const base64 = await page.evaluate(async () => {
		const canvas = document.createElement('canvas');
		canvas.width = canvas.height = 2048;
		const context = canvas.getContext('2d')!;
		const pixels = context.createImageData(2048, 2048);
		const random = new Uint32Array(pixels.data.buffer);
		for (let offset = 0; offset < random.length; offset += 16384) {
			crypto.getRandomValues(random.subarray(offset, offset + 16384));
		}
		for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255;
		context.putImageData(pixels, 0, 0);
		const blob = await new Promise<Blob>((resolve) =>
			canvas.toBlob((made) => resolve(made!), 'image/jpeg', 0.95)
		);
		const bytes = new Uint8Array(await blob.arrayBuffer());
		let binary = '';
		for (let i = 0; i < bytes.length; i += 32768) {
			binary += String.fromCharCode(...bytes.subarray(i, i + 32768));
		}
		return btoa(binary);
	});
	return Buffer.from(base64, 'base64');
}

test('a fragment request whose photos cannot fit in a link says so before anything is filled in', async ({
	page
}) => {
	test.setTimeout(240_000);
	// Form delivery carries any size: no warning.
	await page.goto(consentUrl({ scope: { v: 1, d: ['pp'] }, responseMode: 'form_post' }));
	await createVaultInPlace(page);
	await expectConsentScreen(page, CALLBACK_ORIGIN);
	await expect(page.getByTestId('fragment-size')).toHaveCount(0);

	// The same request answered in a link: said at once, nothing filled in yet.
	await page.goto(consentUrl({ scope: { v: 1, d: ['pp'] }, responseMode: 'fragment' }));
	await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
	await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
	await page.getByRole('button', { name: 'Unlock', exact: true }).click();
	await expectConsentScreen(page, CALLBACK_ORIGIN);
	const note = page.getByRole('note').filter({ hasText: 'wants its answer in a link' });
	await expect(note).toHaveAttribute('data-testid', 'fragment-size');
	await expect(note).toContainText(/can carry about \d+(\.\d)? kB of photos in all/);

	// Once a photo too big for any link is stored, Authorize is refused beforehand, with why.
	const photo = await noisyPhoto(page);
	await page.getByRole('button', { name: 'Fill in Passport', exact: true }).click();
	await page.getByLabel('Document number').fill('P0LISH001');
	await addPhotos(
		scanGroup(page, 'Front side'),
		[{ name: 'noise.jpg', mimeType: 'image/jpeg', buffer: photo }],
		'gallery'
	);
	await saveEditor(page);
	await expectConsentScreen(page, CALLBACK_ORIGIN);
	const refusal = page.getByRole('alert').filter({ hasText: 'This answer cannot be sent' });
	await expect(refusal).toContainText(/its photos come to \d+(\.\d)? MB/);
	const authorize = page.getByRole('button', { name: 'Authorize' });
	await expect(authorize).toBeDisabled();
	await expect(authorize).toHaveAccessibleDescription(/This answer cannot be sent/);
});

test('the example service declares a tab icon its CSP allows, with no console error', async ({
	page
}) => {
	const errors: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error') errors.push(message.text());
	});
	page.on('pageerror', (error) => errors.push(error.message));
	for (const path of ['/', '/callback?tg_passport=cancel']) {
		await page.goto(`${EXAMPLE_URL}${path}`);
		const href = await page.locator('link[rel="icon"]').getAttribute('href');
		expect(href).toMatch(/^data:image\/svg\+xml,/);
		// Loaded as the page's policy sees it: img-src data: lets it through.
		const outcome = await page.evaluate(async (source) => {
			const violations: string[] = [];
			document.addEventListener('securitypolicyviolation', (event) =>
				violations.push(event.violatedDirective)
			);
			const image = new Image();
			image.src = source;
			const loaded = await image.decode().then(
				() => true,
				() => false
			);
			return { loaded, violations };
		}, href!);
		expect(outcome).toEqual({ loaded: true, violations: [] });
	}
	expect(errors).toEqual([]);
});
