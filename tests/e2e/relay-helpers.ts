/**
 * Devices for the relay e2e specs (relay-redis, relay-turn): separate Chromium instances driven
 * through the UI, each told which relay to use, paired through the one-time link, with a tap in
 * each page that counts data-channel payloads and looks for a marker in them (outside the app,
 * by wrapping RTCDataChannel and RTCPeerConnection before it loads).
 */
import { chromium, devices, expect } from '@playwright/test';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { WALLET_URL } from '../../playwright.config';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.js';
import { createVault, PASSWORD, unlock } from './helpers';

/**
 * Bound of one step that involves sync, pairing or a KDF. Every wait is on a condition; this
 * only turns a hang into a failure (a loaded machine took over 10 s for a vault creation).
 */
export const STEP_MS = 90_000;

export interface Tap {
	frames: number;
	bytes: number;
	markerHits: number;
	/** ICE servers each RTCPeerConnection was given (urls and usernames, no credentials). */
	iceServers: { urls: string[]; username?: string }[];
	/** Local candidate types of the pairs that carried the connection ('host', 'relay', ...). */
	selectedCandidateTypes: string[];
}

export interface Device {
	name: string;
	browser: Browser;
	context: BrowserContext;
	page: Page;
	tap: Tap;
}

/** Runs in the page before the app: see the top of this file. */
function pageTap(options: { marker: string; relayOnly: boolean }) {
	const needle = new TextEncoder().encode(options.marker);
	type Report = {
		frames?: number;
		bytes?: number;
		markerHits?: number;
		iceServers?: { urls: string[]; username?: string }[];
		selected?: string;
	};
	const report = (window as unknown as { __relayTap: (report: Report) => void }).__relayTap;
	const contains = (bytes: Uint8Array) => {
		outer: for (let i = bytes.indexOf(needle[0]); i >= 0; i = bytes.indexOf(needle[0], i + 1)) {
			if (i + needle.length > bytes.length) return false;
			for (let j = 1; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
			return true;
		}
		return false;
	};
	const seen = (data: unknown) => {
		let bytes: Uint8Array;
		if (typeof data === 'string') bytes = new TextEncoder().encode(data);
		else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
		else if (ArrayBuffer.isView(data))
			bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
		else return;
		report({ frames: 1, bytes: bytes.length, markerHits: contains(bytes) ? 1 : 0 });
	};
	const send = RTCDataChannel.prototype.send;
	RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: never) {
		seen(data);
		return send.call(this, data);
	};
	const watch = (channel: RTCDataChannel) =>
		channel.addEventListener('message', (event) => seen(event.data));
	const Native = window.RTCPeerConnection;
	window.RTCPeerConnection = class extends Native {
		constructor(config?: RTCConfiguration) {
			// The test's own network condition: only TURN relay candidates, as behind carrier NAT.
			super(options.relayOnly ? { ...config, iceTransportPolicy: 'relay' } : config);
			report({
				iceServers: (config?.iceServers ?? []).map((server) => ({
					urls: ([] as string[]).concat(server.urls),
					username: server.username
				}))
			});
			this.addEventListener('datachannel', (event) => watch(event.channel));
			this.addEventListener('connectionstatechange', async () => {
				if (this.connectionState !== 'connected') return;
				const stats = await this.getStats();
				stats.forEach((entry) => {
					if (entry.type !== 'candidate-pair' || entry.state !== 'succeeded' || !entry.nominated)
						return;
					const local = stats.get(entry.localCandidateId);
					if (local) report({ selected: local.candidateType });
				});
			});
		}
		createDataChannel(...args: Parameters<RTCPeerConnection['createDataChannel']>) {
			const channel = super.createDataChannel(...args);
			watch(channel);
			return channel;
		}
	};
}

export async function launch(
	name: string,
	options: { marker: string; relayOnly?: boolean }
): Promise<Device> {
	const browser = await chromium.launch({
		executablePath: chromiumPath,
		args: chromiumArgs
	});
	const phone = devices['Pixel 7'];
	const context = await browser.newContext({
		...phone,
		baseURL: WALLET_URL,
		locale: 'en-US',
		userAgent: `${phone.userAgent} PapiersTest/${name}`
	});
	const tap: Tap = {
		frames: 0,
		bytes: 0,
		markerHits: 0,
		iceServers: [],
		selectedCandidateTypes: []
	};
	await context.exposeFunction(
		'__relayTap',
		(report: {
			frames?: number;
			bytes?: number;
			markerHits?: number;
			iceServers?: Tap['iceServers'];
			selected?: string;
		}) => {
			tap.frames += report.frames ?? 0;
			tap.bytes += report.bytes ?? 0;
			tap.markerHits += report.markerHits ?? 0;
			if (report.iceServers) tap.iceServers.push(...report.iceServers);
			if (report.selected) tap.selectedCandidateTypes.push(report.selected);
		}
	);
	await context.addInitScript(pageTap, {
		marker: options.marker,
		relayOnly: options.relayOnly ?? false
	});
	const page = await context.newPage();
	return { name, browser, context, page, tap };
}

export const home = (page: Page) => page.getByRole('heading', { level: 1, name: 'Your papers' });
export const row = (page: Page, type: string) => page.locator(`main a[href="/element/${type}"]`);

/** In-app navigation: a reload would lock the vault. */
export async function tab(page: Page, name: 'Papers' | 'Devices' | 'Settings') {
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
}

/** A TURN server typed in Settings, as a person given its address and credentials would. */
export interface TypedTurn {
	url: string;
	username: string;
	credential: string;
}

/** On a page that shows the sync settings form (Settings, or /pair's connection settings). */
export async function useRelay(page: Page, url: string, turn?: TypedTurn) {
	await page.getByLabel('Signaling relays (one per line)').fill(url);
	if (turn) {
		await page.getByRole('button', { name: 'Add a STUN or TURN server' }).click();
		await page.getByLabel('Address (stun:, turn: or turns:)').fill(turn.url);
		await page.getByLabel('Username (TURN)').fill(turn.username);
		await page.getByLabel('Password (TURN)').fill(turn.credential);
	}
	await page.getByRole('button', { name: 'Save sync settings' }).click();
	await expect(page.getByText('Sync settings saved.')).toBeVisible();
}

export async function setEmail(page: Page, value: string) {
	await tab(page, 'Papers');
	await row(page, 'email').click();
	await page.getByLabel('Email address').fill(value);
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(home(page)).toBeVisible({ timeout: STEP_MS });
	await expect(row(page, 'email')).toContainText(value);
}

/** A new vault on `device`, synced through `relayUrl`. */
export async function createVaultOn(device: Device, relayUrl: string, turn?: TypedTurn) {
	await createVault(device.page);
	await tab(device.page, 'Settings');
	await useRelay(device.page, relayUrl, turn);
}

/**
 * `joiner` pairs with `host` through the one-time link, the joiner using `relayUrl`: same code
 * on both screens, confirmed on the host, password typed on the joiner.
 */
export async function pair(
	host: Device,
	joiner: Device,
	relayUrl: string,
	name: string,
	turn?: TypedTurn
) {
	await tab(host.page, 'Devices');
	await host.page.getByRole('button', { name: 'Add a device' }).click();
	const link = await host.page.getByLabel('One-time link').inputValue();

	await joiner.page.goto('/pair');
	await joiner.page.getByText('Connection settings').click();
	await useRelay(joiner.page, relayUrl, turn);
	await joiner.page.getByLabel('Device name').fill(name);
	await joiner.page.goto(link);

	const hostCode = host.page.getByTestId('pairing-code');
	const joinCode = joiner.page.getByTestId('pairing-code');
	await expect(hostCode).toBeVisible({ timeout: STEP_MS });
	await expect(joinCode).toBeVisible({ timeout: STEP_MS });
	const shown = (await hostCode.innerText()).replace(/\s/g, '');
	expect((await joinCode.innerText()).replace(/\s/g, '')).toBe(shown);
	await host.page.getByRole('button', { name: 'The codes match' }).click();
	await expect(host.page.getByText(/received the vault/)).toBeVisible({ timeout: STEP_MS });

	await expect(
		joiner.page.getByRole('heading', { name: 'Your vault is here. Unlock it' })
	).toBeVisible({ timeout: STEP_MS });
	await joiner.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
	await joiner.page.getByRole('button', { name: 'Unlock' }).click();
	await expect(home(joiner.page)).toBeVisible({ timeout: STEP_MS });
}

/** A new tab of the same browser (same storage), unlocked: sync starts afresh, new signaling. */
export async function reopen(device: Device): Promise<Page> {
	if (!device.page.isClosed()) await device.page.close();
	device.page = await device.context.newPage();
	await device.page.goto('/');
	await expect(device.page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
	await unlock(device.page);
	await expect(home(device.page)).toBeVisible({ timeout: STEP_MS });
	return device.page;
}
