/**
 * response_mode=fragment, end to end: the wallet navigates to callback#tg_passport=success&…,
 * and the service decrypts in the browser with the service kit (WebCrypto), as a service that
 * has no server-side decryption would. A URL is kept in history (and synced history): no personal
 * value may be readable in any URL the browser visits, in clear, percent-encoded or base64.
 */
import { expect, test } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConsentUrl } from '../../src/lib/service/index';
import { buildKit } from '../../example/build-kit.js';
import { WALLET_URL } from '../../playwright.config';
import { createVaultInPlace, editFromConsent, makeServiceKey } from './consent-helpers';
import { fillEmail, fillPersonalDetails, fillPhone } from './fill';

const key = makeServiceKey();
let server: Server;
let origin: string;
let kitDir: string;

/** The service's callback page: reads the fragment and decrypts it with the kit, in the page. */
const callbackPage = `<!doctype html><meta charset="utf-8"><title>Service</title>
<h1>Service callback</h1><pre id="result">decrypting…</pre>
<script type="module">
	import { decryptDelivery } from '/kit.js';
	const privateKey = ${JSON.stringify(key.privateKeyPem)};
	try {
		const outcome = await decryptDelivery({ privateKey, fragment: location.hash, expectedNonce: 'fragment-nonce-1' });
		const passport = outcome.passport;
		document.getElementById('result').textContent = JSON.stringify({
			status: outcome.status,
			email: passport.byType.email?.email,
			phone: passport.byType.phone_number?.phone_number,
			lastName: passport.byType.personal_details?.data.last_name,
			nonce: passport.nonce
		});
	} catch (error) {
		document.getElementById('result').textContent = 'failed: ' + error.message;
	}
</script>`;

test.beforeAll(async () => {
	kitDir = mkdtempSync(join(tmpdir(), 'papiers-kit-'));
	const kitPath = await buildKit(kitDir);
	const kit = readFileSync(kitPath);
	server = createServer((request, response) => {
		if (request.url === '/kit.js') {
			response.writeHead(200, { 'content-type': 'text/javascript' }).end(kit);
		} else if (request.url?.startsWith('/cb')) {
			response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(callbackPage);
		} else response.writeHead(404).end();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
	rmSync(kitDir, { recursive: true, force: true });
});

const PERSON = {
	firstName: 'Gwenaelle',
	lastName: 'Quintavalle',
	birthDate: '1979-03-14',
	gender: 'Female' as const,
	citizenship: 'France',
	residence: 'Belgium'
};
const PHONE = { typed: '+33 6 12 34 56 78', digits: '33612345678' };
const EMAIL = 'fragment@example.org';

/** Everything a URL can show of a value: as is, percent-decoded, and each parameter base64-decoded. */
function readableForms(url: string): string[] {
	const parsed = new URL(url);
	const forms = [url];
	try {
		forms.push(decodeURIComponent(url));
	} catch {
		// Not percent-decodable as a whole: the parameters below still are.
	}
	for (const part of [parsed.search.slice(1), parsed.hash.slice(1)]) {
		for (const [, value] of new URLSearchParams(part)) {
			forms.push(value, Buffer.from(value, 'base64url').toString('utf8'));
			forms.push(Buffer.from(value, 'base64').toString('utf8'));
		}
	}
	return forms;
}

test('a fragment delivery decrypts in the service page with the kit, and no URL shows a personal value', async ({
	page
}) => {
	test.setTimeout(120_000);
	const visited: string[] = [];
	page.on('framenavigated', (frame) => visited.push(frame.url()));
	page.on('request', (request) => visited.push(request.url()));
	const consentUrl = buildConsentUrl({
		walletUrl: WALLET_URL,
		botId: '4242',
		scope: { v: 1, d: ['pd', 'pn', 'em'] },
		publicKey: key.publicKeyPem,
		nonce: 'fragment-nonce-1',
		callbackUrl: `${origin}/cb`,
		responseMode: 'fragment'
	});
	await page.goto(consentUrl);
	await createVaultInPlace(page);
	await editFromConsent(page, {
		button: 'Fill in Personal details',
		origin,
		fill: (page) => fillPersonalDetails(page, PERSON)
	});
	await editFromConsent(page, {
		button: 'Fill in Phone number',
		origin,
		fill: (page) => fillPhone(page, PHONE.typed)
	});
	await editFromConsent(page, {
		button: 'Fill in Email',
		origin,
		fill: (page) => fillEmail(page, EMAIL)
	});
	await page.getByRole('button', { name: 'Authorize' }).click();

	await expect(page).toHaveURL(new RegExp(`^${origin}/cb#tg_passport=success&`));
	// The service page's kit still reads it all: the values exist, only not in the URL.
	await expect(page.locator('#result')).toHaveText(
		JSON.stringify({
			status: 'success',
			email: EMAIL,
			phone: PHONE.digits,
			lastName: PERSON.lastName,
			nonce: 'fragment-nonce-1'
		}),
		{ timeout: 15_000 }
	);

	const delivered = visited.filter((url) => url.startsWith(`${origin}/cb#`));
	expect(delivered.length).toBeGreaterThan(0);
	const secrets = [
		PHONE.digits,
		'6 12 34 56 78',
		EMAIL,
		'fragment%40',
		PERSON.firstName,
		PERSON.lastName
	];
	for (const url of new Set(visited)) {
		for (const form of readableForms(url)) {
			for (const secret of secrets)
				expect(form, `${secret} in ${url.slice(0, 120)}…`).not.toContain(secret);
		}
	}
});
