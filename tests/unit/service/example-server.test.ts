/**
 * The example service end to end, on 127.0.0.1: started as `node example/server.js` (its real entry
 * point), its sign-up link parsed by the wallet's parser, a response built by the wallet code and
 * posted to its callback, and the page it shows checked for the decrypted values.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPassportData } from '../../../src/lib/passport/build-response';
import { encodeFormPostBody } from '../../../src/lib/passport/delivery';
import { parseConsentRequest, type ConsentRequest } from '../../../src/lib/passport/request';
import { ScanShelf, allElements } from '../passport/helpers';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
let child: ChildProcess;
let baseUrl: string;
let workDir: string;

beforeAll(async () => {
	workDir = mkdtempSync(join(tmpdir(), 'papiers-example-'));
	child = spawn(process.execPath, ['example/server.js'], {
		cwd: repoRoot,
		env: {
			...process.env,
			PORT: '0',
			HOST: '127.0.0.1',
			WALLET_URL: 'http://127.0.0.1:5173',
			DATA_DIR: join(workDir, 'data'),
			KIT_DIR: join(workDir, 'kit')
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	baseUrl = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`example did not start:\n${output}`)), 60_000);
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			const match = /Example service on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]);
			}
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.on('exit', (code) => reject(new Error(`example exited with ${code}:\n${output}`)));
	});
}, 90_000);

afterAll(() => {
	if (child && child.exitCode === null) child.kill('SIGTERM');
	if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/**
 * A browser's visit to the sign-up page, as fetch: the session cookie it was given (if any) and the
 * consent request its link carries. `cookie` plays a browser that already has a session.
 */
async function signUp(
	cookie?: string
): Promise<{ request: ConsentRequest; cookie: string; setCookie: string }> {
	const response = await fetch(`${baseUrl}/`, { headers: cookie ? { cookie } : {} });
	const setCookie = response.headers.get('set-cookie') ?? '';
	const page = await response.text();
	expect(page).toContain('Sign up with Papiers');
	const href = /id="papiers-sign-up" href="([^"]+)"/.exec(page)![1].replace(/&amp;/g, '&');
	const link = new URL(href);
	expect(link.origin + link.pathname).toBe('http://127.0.0.1:5173/authorize');
	const parsed = parseConsentRequest({ query: link.search });
	if (!parsed.ok) throw new Error(`the wallet refused the example's link: ${parsed.code}`);
	return { request: parsed.request, cookie: cookie ?? setCookie.split(';')[0], setCookie };
}

async function consentRequestFromSignUpPage(): Promise<ConsentRequest> {
	return (await signUp()).request;
}

/** The wallet's form POST, from a browser holding `cookie` (the top-level POST carries it). */
function postDelivery(url: string, body: string, cookie?: string) {
	return fetch(url, {
		method: 'POST',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			...(cookie ? { cookie } : {})
		},
		body
	});
}

describe('example service', () => {
	it('asks for what it says, and shows its sign-up form filled from a delivery', async () => {
		const { request, cookie } = await signUp();
		expect(request.callbackUrl).toBe(`${baseUrl}/callback`);
		expect(request.responseMode).toBe('form_post');
		expect(request.scope.rows.map((row) => row.options.map((option) => option.type))).toEqual([
			['personal_details'],
			['passport', 'driver_license', 'identity_card'],
			['address'],
			['utility_bill', 'bank_statement', 'rental_agreement'],
			['phone_number'],
			['email']
		]);
		expect(request.scope.rows[1].options.every((option) => option.selfie)).toBe(true);

		const shelf = new ScanShelf();
		const built = await buildPassportData({
			request,
			choices: [undefined, 'driver_license', undefined, 'rental_agreement'],
			elements: allElements(shelf),
			readScan: shelf.readScan
		});
		const response = await postDelivery(request.callbackUrl, encodeFormPostBody(built), cookie);
		expect(response.status).toBe(200);
		const page = await response.text();
		for (const value of [
			'value="Marie"',
			'value="Salomea"',
			'value="Curie"',
			'value="07.11.1867"',
			'value="female"',
			'value="36 quai de Béthune"',
			'value="Paris"',
			'value="75004"',
			'value="+33612345678"',
			'value="marie@example.org"',
			'value="DL-42"',
			'value="01.01.2030"',
			'Driving licence',
			'Proof of address: Rental agreement',
			'name="password" type="password"'
		]) {
			expect(page, value).toContain(value);
		}
		for (const scanId of [
			'driver_license-front',
			'driver_license-reverse',
			'driver_license-selfie',
			'rental_agreement-f0',
			'rental_agreement-f1'
		]) {
			const dataUrl = `data:image/jpeg;base64,${Buffer.from(shelf.scans.get(scanId)!).toString('base64')}`;
			expect(page, scanId).toContain(dataUrl);
		}
		// Translations were not asked for, so none were sent or shown.
		expect(page).not.toContain('Translation');

		// The same delivery again: its nonce is spent.
		const replay = await postDelivery(request.callbackUrl, encodeFormPostBody(built), cookie);
		expect(replay.status).toBe(400);
		expect(await replay.text()).toContain('NONCE_REUSED');
	}, 60_000);

	it('escapes what it shows', async () => {
		const { request, cookie } = await signUp();
		const shelf = new ScanShelf();
		const elements = allElements(shelf);
		elements.personal_details.data = {
			...(elements.personal_details.data as object),
			first_name: '"><script>alert(1)</script>'
		} as never;
		const built = await buildPassportData({
			request,
			choices: [undefined, 'passport', undefined, 'utility_bill'],
			elements,
			readScan: shelf.readScan
		});
		const page = await (
			await postDelivery(request.callbackUrl, encodeFormPostBody(built), cookie)
		).text();
		expect(page).not.toContain('<script>alert(1)</script>');
		expect(page).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
	}, 60_000);

	it('refuses a delivery for a nonce it never issued', async () => {
		const { request, cookie } = await signUp();
		const shelf = new ScanShelf();
		const built = await buildPassportData({
			request: { ...request, nonce: 'not-from-this-service' },
			choices: [undefined, 'passport', undefined, 'utility_bill'],
			elements: allElements(shelf),
			readScan: shelf.readScan
		});
		const response = await postDelivery(request.callbackUrl, encodeFormPostBody(built), cookie);
		expect(response.status).toBe(400);
		expect(await response.text()).toContain('This sign-up link is no longer valid');
	}, 60_000);

	it('gives each browser a session cookie a cross-site top-level POST still carries', async () => {
		const { setCookie, cookie } = await signUp();
		expect(cookie).toMatch(/^example_session=[\w-]{43}$/);
		const attributes = setCookie.split(';').map((part) => part.trim().toLowerCase());
		// SameSite=None: the wallet's POST comes from another site, where Lax cookies stay home.
		// Secure is required with it (and holds on http://localhost, a secure context).
		expect(attributes).toEqual(
			expect.arrayContaining(['httponly', 'secure', 'samesite=none', 'path=/'])
		);
		// A browser that already has one keeps it.
		expect((await signUp(cookie)).setCookie).toBe('');
	});

	it("refuses the victim's papers for an attacker's sign-up (login CSRF)", async () => {
		// The attacker starts a sign-up in their own browser and sends the link to a victim.
		const attacker = await signUp();
		const victim = await signUp();
		const shelf = new ScanShelf();
		const built = await buildPassportData({
			request: attacker.request,
			choices: [undefined, 'passport', undefined, 'utility_bill'],
			elements: allElements(shelf),
			readScan: shelf.readScan
		});
		// The victim's wallet posts to the callback from the victim's browser, with its cookie.
		const body = encodeFormPostBody(built);
		const refused = await postDelivery(attacker.request.callbackUrl, body, victim.cookie);
		expect(refused.status).toBe(400);
		const page = await refused.text();
		expect(page).toContain('This sign-up was not started in this browser');
		expect(page).toContain('NONCE_OTHER_SESSION');
		expect(page).not.toContain('value="Marie"');
		// Without any cookie, the same.
		const anonymous = await postDelivery(attacker.request.callbackUrl, body);
		expect(anonymous.status).toBe(400);
		expect(await anonymous.text()).not.toContain('value="Marie"');
		expect(victim.cookie).not.toBe(attacker.cookie);
		// The nonce was not spent by the refusals: its own session can still use it.
		expect((await postDelivery(attacker.request.callbackUrl, body, attacker.cookie)).status).toBe(
			200
		);
	}, 60_000);

	it('shows a visible message for cancel and for errors', async () => {
		const cancel = await (await fetch(`${baseUrl}/callback?tg_passport=cancel`)).text();
		expect(cancel).toContain('Sign-up cancelled');
		expect(cancel).toContain('Nothing was shared');
		const error = await (
			await fetch(`${baseUrl}/callback?tg_passport=error&error=PUBLIC_KEY_INVALID`)
		).text();
		expect(error).toContain('Papiers could not process our request');
		expect(error).toContain('Error code: PUBLIC_KEY_INVALID');
	});
});
