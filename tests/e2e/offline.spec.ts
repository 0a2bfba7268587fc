import { expect, test } from '@playwright/test';
import { cpSync, mkdtempSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { startStaticServer } from '../../scripts/serve.js';
import { createVault, waitForServiceWorker } from './helpers';
import { WALLET_PORT } from '../../playwright.config';

test('installable: valid manifest, worker in control, no installability errors', async ({
	page
}) => {
	await page.goto('/');
	await waitForServiceWorker(page);
	const manifest = await (await page.request.get('/manifest.webmanifest')).json();
	expect(manifest).toMatchObject({
		display: 'standalone',
		start_url: '/',
		scope: '/',
		short_name: 'Papiers'
	});
	const sizes = manifest.icons.map(
		(icon: { sizes: string; purpose: string }) => `${icon.sizes} ${icon.purpose}`
	);
	expect(sizes).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']));
	for (const icon of manifest.icons) expect((await page.request.get(icon.src)).ok()).toBe(true);
	const cdp = await page.context().newCDPSession(page);
	const { errors } = await cdp.send('Page.getAppManifest');
	expect(errors).toEqual([]);
	const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
	// Playwright's contexts are incognito, where Chromium never offers installation; anything
	// else (manifest, icons, worker, start URL) would be listed here.
	const ids = installabilityErrors.map((error) => error.errorId);
	expect(ids.filter((id) => id !== 'in-incognito')).toEqual([]);
});

test('opens offline, at / and at a deep link, once the worker is in control', async ({
	page,
	context
}) => {
	await createVault(page);
	await waitForServiceWorker(page);
	await context.setOffline(true);
	await page.reload();
	await expect(page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
	await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
	await page.getByRole('button', { name: 'Unlock' }).click();
	await expect(page.getByRole('heading', { name: 'Your papers' })).toBeVisible({ timeout: 15_000 });

	await page.goto('/settings');
	await expect(page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
	await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
	await page.getByRole('button', { name: 'Unlock' }).click();
	await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible({ timeout: 15_000 });
	await context.setOffline(false);
});

test.describe('a new deployment', () => {
	let server: Server;
	let root: string;
	// A second copy of the build, deployed anew during the test.
	const port = WALLET_PORT + 7;

	test.beforeAll(async () => {
		root = mkdtempSync(join(tmpdir(), 'papiers-deploy-'));
		cpSync('build', root, { recursive: true });
		server = (await startStaticServer({ root, port })) as Server;
	});
	test.afterAll(async () => {
		await new Promise((resolve) => server.close(resolve));
		rmSync(root, { recursive: true, force: true });
	});

	test('shows "A new version is ready" and reloads into it', async ({ page }) => {
		const origin = `http://localhost:${port}`;
		await page.goto(`${origin}/`);
		await waitForServiceWorker(page);
		await expect(page.getByText('A new version is ready.')).toHaveCount(0);

		// Deploy: a changed worker script is what browsers compare to find an update.
		appendFileSync(join(root, 'service-worker.js'), '\n// deployed again\n');
		await page.reload();
		await expect(page.getByText('A new version is ready.')).toBeVisible({ timeout: 20_000 });
		await page.getByRole('button', { name: 'Reload' }).click();
		await page.waitForLoadState('load');
		await expect(page.getByRole('heading', { name: 'Create your password' })).toBeVisible();
		await expect(page.getByText('A new version is ready.')).toHaveCount(0);
	});
});
