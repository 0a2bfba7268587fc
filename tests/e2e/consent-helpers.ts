/**
 * Shared by the consent specs: the example service's sign-up link, request URLs edited the way an
 * attacker or a buggy service would, service keys made on the spot, a tiny callback server on
 * 127.0.0.1, and a watcher that records every attempt to leave the wallet.
 */

import { expect, type Page } from '@playwright/test';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXAMPLE_URL, WALLET_URL } from '../../playwright.config';
import { buildConsentUrl, decryptDelivery, keyFingerprint } from '../../src/lib/service/index';
import { LOCAL_RELAY_URL } from '../../src/lib/sync/settings';
import { PASSWORD, unlock } from './helpers';
import { saveEditor } from './fill';

export { EXAMPLE_URL, WALLET_URL };
export const WALLET_ORIGIN = new URL(WALLET_URL).origin;
export const EXAMPLE_ORIGIN = new URL(EXAMPLE_URL).origin;
/**
 * The one request the wallet makes outside its origin on its own: at unlock, sync asks the relay
 * it uses (the default one on localhost) for TURN credentials, a GET with no papers in it.
 * Leak checks allow exactly this URL, nothing else of the relay's.
 */
export const SYNC_TURN_CREDENTIALS_URL = `${LOCAL_RELAY_URL.replace(/^ws/, 'http')}/turn-credentials`;

/** The example service's sign-up page: its consent link and the key fingerprint it prints. */
export async function openSignUp(page: Page): Promise<{ consentUrl: string; fingerprint: string }> {
	await page.goto(EXAMPLE_URL);
	const link = page.getByRole('link', { name: 'Sign up with Papiers' });
	const consentUrl = await link.getAttribute('href');
	expect(consentUrl).toMatch(new RegExp(`^${WALLET_URL}/authorize\\?`));
	const fingerprint = (await page.locator('code').textContent())?.trim() ?? '';
	expect(fingerprint.length).toBeGreaterThan(10);
	return { consentUrl: consentUrl!, fingerprint };
}

/** The same URL with one query parameter replaced (or removed, with `null`). */
export function withParam(url: string, name: string, value: string | null): string {
	const parsed = new URL(url);
	if (value === null) parsed.searchParams.delete(name);
	else parsed.searchParams.set(name, value);
	return parsed.href;
}

/** Creates the vault on the consent page itself (first run arriving from a service). */
export async function createVaultInPlace(page: Page, password = PASSWORD) {
	await expect(page.getByText('Create your Papiers password first')).toBeVisible();
	await page.getByLabel('Password', { exact: true }).fill(password);
	await page.getByLabel('Confirm password', { exact: true }).fill(password);
	await page.getByLabel(/forgotten password cannot/).check();
	await page.getByRole('button', { name: 'Create vault' }).click();
}

/** The consent screen, identified as a person reads it: "Your data will be sent to <origin>". */
export async function expectConsentScreen(page: Page, origin: string) {
	await expect(page.getByText('Your data will be sent to')).toBeVisible({ timeout: 15_000 });
	await expect(page.getByRole('heading', { level: 1, name: origin, exact: true })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
}

export interface ServiceKey {
	publicKeyPem: string;
	privateKeyPem: string;
}

export function makeServiceKey(modulusLength = 2048): ServiceKey {
	const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength });
	return {
		publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
		privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
	};
}

/** The fingerprint the wallet shows for a key, computed by the service kit. */
export function fingerprintOf(publicKeyPem: string): string {
	const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
	return keyFingerprint(new Uint8Array(der));
}

/**
 * On the consent screen: "Fill in <type>" (or "Edit <type>") opens the element editor in place,
 * still naming the recipient; `fill` fills it; Save brings the consent screen back.
 */
export async function editFromConsent(
	page: Page,
	options: { button: string; origin: string; fill: (page: Page) => Promise<void> }
) {
	const { button, origin, fill } = options;
	await page.getByRole('button', { name: button, exact: true }).click();
	const typeName = button.replace(/^(Fill in|Edit) /, '');
	await expect(page.getByRole('heading', { level: 1, name: typeName, exact: true })).toBeVisible();
	await expect(page.getByText(`Your data will be sent to ${origin}`)).toBeVisible();
	await expect(page).toHaveURL(/\/authorize\?/);
	await fill(page);
	await saveEditor(page);
	await expect(page.getByRole('button', { name: /^(Save|Saving…)$/ })).toHaveCount(0, {
		timeout: 15_000
	});
	await expectConsentScreen(page, origin);
}

export interface ReceivedCall {
	method: string;
	url: string;
	body: string;
}

export interface CallbackServer {
	origin: string;
	calls: ReceivedCall[];
	close: () => Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

/** A service callback on 127.0.0.1 that records what arrives and answers with a plain page. */
export async function startCallbackServer(): Promise<CallbackServer> {
	const calls: ReceivedCall[] = [];
	const server: Server = createServer(async (request, response) => {
		const body = await readBody(request);
		if (request.url === '/favicon.ico') {
			response.writeHead(404).end();
			return;
		}
		calls.push({ method: request.method ?? '', url: request.url ?? '', body });
		const outcome = new URL(request.url ?? '/', 'http://x').searchParams.get('tg_passport');
		const title = request.method === 'POST' ? 'Delivery received' : `Callback: ${outcome}`;
		response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		response.end(`<!doctype html><title>${title}</title><h1>${title}</h1>`);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		origin: `http://127.0.0.1:${port}`,
		calls,
		close: () => new Promise((resolve) => server.close(() => resolve()))
	};
}

export interface LeaveWatch {
	/** Requests to any origin not in the allowed list. */
	requests: string[];
	/** Main- or sub-frame navigations to any origin not in the allowed list. */
	navigations: string[];
	/** alert/confirm/prompt: what a `javascript:` URL would open. */
	dialogs: string[];
	/** Uncaught exceptions in the page. */
	pageErrors: string[];
}

function originOf(url: string): string {
	try {
		const parsed = new URL(url);
		return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : url;
	} catch {
		return url;
	}
}

/** Records, from now on, every way the page could reach outside `allowed` origins. */
export function watchForLeaks(page: Page, allowed: string[] = [WALLET_ORIGIN]): LeaveWatch {
	const watch: LeaveWatch = { requests: [], navigations: [], dialogs: [], pageErrors: [] };
	const outside = (url: string) => !allowed.includes(originOf(url));
	page.on('request', (request) => {
		if (outside(request.url())) watch.requests.push(request.url());
	});
	page.on('framenavigated', (frame) => {
		if (outside(frame.url()) && frame.url() !== 'about:blank') watch.navigations.push(frame.url());
	});
	page.on('dialog', (dialog) => {
		watch.dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	page.on('pageerror', (error) => watch.pageErrors.push(String(error)));
	return watch;
}

/**
 * Waits for the wallet's one POST to `service` and decrypts it as the service would, with the
 * nonce it issued; the service's record of calls is emptied for the next delivery.
 */
export async function receivedDelivery(options: {
	page: Page;
	service: CallbackServer;
	key: ServiceKey;
	nonce: string;
}) {
	const { page, service } = options;
	await expect(page.getByRole('heading', { name: 'Delivery received' })).toBeVisible({
		timeout: 20_000
	});
	const posts = service.calls.filter((call) => call.method === 'POST');
	expect(posts).toHaveLength(1);
	service.calls.length = 0;
	const outcome = await decryptDelivery({
		privateKey: options.key.privateKeyPem,
		fields: new URLSearchParams(posts[0].body),
		expectedNonce: options.nonce
	});
	if (outcome.status !== 'success') throw new Error(`Delivery was ${outcome.status}`);
	return outcome.passport;
}

/**
 * A whole sign-up as a service sees it: a fresh key and request for `scope`, the password, the
 * consent screen, Authorize, and the delivery decrypted with that key and nonce.
 */
export async function authorizeAndReceive(options: {
	page: Page;
	service: CallbackServer;
	botId: string;
	scope: { v: 1; d: unknown[] };
	nonce: string;
}) {
	const { page, service, nonce } = options;
	const key = makeServiceKey();
	await page.goto(
		buildConsentUrl({
			walletUrl: WALLET_URL,
			botId: options.botId,
			scope: options.scope,
			publicKey: key.publicKeyPem,
			nonce,
			callbackUrl: `${service.origin}/cb`
		})
	);
	await unlock(page);
	await expectConsentScreen(page, service.origin);
	await page.getByRole('button', { name: 'Authorize' }).click();
	return receivedDelivery({ page, service, key, nonce });
}
