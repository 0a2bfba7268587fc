/**
 * The example service's session binding in a real browser (issue 9, login CSRF): its session cookie
 * must survive the wallet's cross-site top-level form POST to the callback, and a delivery for a
 * sign-up another browser started must be refused. The service listens on 127.0.0.1 and the
 * stand-in for the wallet's page on localhost: two different sites, as in production, both
 * plain http (Chromium counts loopback as a secure context, so the Secure cookie is kept).
 */
import { expect, test, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExampleService } from '../../example/server.js';
import { buildPassportData } from '../../src/lib/passport/build-response';
import { encodeFormPost } from '../../src/lib/passport/delivery';
import { parseConsentRequest, type ConsentRequest } from '../../src/lib/passport/request';
import { ScanShelf, allElements } from '../unit/passport/helpers';
import { WALLET_URL } from '../../playwright.config';

let workDir: string;
let service: Awaited<ReturnType<typeof startExampleService>>;
let poster: Server;
let posterOrigin: string;
/** The page the stand-in serves next: an auto-submitting form, as the wallet makes one. */
let nextForm = '';

test.beforeAll(async () => {
	workDir = mkdtempSync(join(tmpdir(), 'papiers-session-e2e-'));
	service = await startExampleService({
		port: 0,
		host: '127.0.0.1',
		walletUrl: WALLET_URL,
		dataDir: join(workDir, 'data'),
		kitDir: join(workDir, 'kit')
	});
	poster = createServer((_request, response) => {
		response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(nextForm);
	});
	await new Promise<void>((resolve) => poster.listen(0, 'localhost', resolve));
	posterOrigin = `http://localhost:${(poster.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
	await service?.close();
	await new Promise((resolve) => poster?.close(resolve));
	if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function consentRequestFrom(href: string): ConsentRequest {
	const parsed = parseConsentRequest({ query: new URL(href).search });
	if (!parsed.ok) throw new Error(parsed.code);
	return parsed.request;
}

const escapeHtml = (text: string) =>
	text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** Posts a delivery for `request` from another site, as a top-level navigation. */
async function postFromAnotherSite(page: Page, request: ConsentRequest) {
	const shelf = new ScanShelf();
	const built = await buildPassportData({
		request,
		choices: [undefined, 'passport', undefined, 'utility_bill'],
		elements: allElements(shelf),
		readScan: shelf.readScan
	});
	const fields = encodeFormPost(built)
		.map(([name, value]) => `<textarea name="${escapeHtml(name)}">${escapeHtml(value)}</textarea>`)
		.join('');
	nextForm = `<!doctype html><meta charset="utf-8"><form method="post" action="${request.callbackUrl}" hidden>${fields}</form><script>document.forms[0].submit()</script>`;
	await page.goto(`${posterOrigin}/wallet`);
	await expect(page).toHaveURL(request.callbackUrl);
}

test('the session cookie crosses the wallet’s cross-site POST; another browser’s sign-up is refused', async ({
	page
}) => {
	await page.goto(`${service.url}/`);
	const href = await page.getByRole('link', { name: 'Sign up with Papiers' }).getAttribute('href');
	const cookies = await page.context().cookies(service.url);
	expect(cookies).toEqual([
		expect.objectContaining({
			name: 'example_session',
			httpOnly: true,
			secure: true,
			sameSite: 'None'
		})
	]);

	// The browser's own sign-up comes back from another site with its cookie: accepted.
	await postFromAnotherSite(page, consentRequestFrom(href!));
	await expect(
		page.getByRole('heading', { name: 'Check your details and choose a password' })
	).toBeVisible();
	await expect(page.getByRole('textbox', { name: 'First name' })).toHaveValue('Marie');

	// An attacker's sign-up (started in another browser, here plain fetch) posted by this browser.
	const attackerPage = await (await fetch(`${service.url}/`)).text();
	const attackerHref = /id="papiers-sign-up" href="([^"]+)"/
		.exec(attackerPage)![1]
		.replace(/&amp;/g, '&');
	await postFromAnotherSite(page, consentRequestFrom(attackerHref));
	await expect(
		page.getByRole('heading', { name: 'This sign-up was not started in this browser' })
	).toBeVisible();
	await expect(page.getByText('NONCE_OTHER_SESSION')).toBeVisible();
	await expect(page.getByRole('textbox', { name: 'First name' })).toHaveCount(0);
});
