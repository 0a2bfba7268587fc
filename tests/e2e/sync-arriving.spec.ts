/**
 * A new device shows papers before their photos have crossed: each photo still on its way says
 * so, a consent answer that needs it waits (Authorize stays off and says why), and the photo
 * shows by itself once it is here. To hold the photos back, A's page keeps every scan chunk it
 * would put on the data channel (outside the app: RTCDataChannel.send is wrapped before it loads)
 * until the test lets them go, in order.
 */
import { expect, test } from '@playwright/test';
import { startRelay, type RunningRelay } from '../../scripts/relay.js';
import { openSignUp, withParam } from './consent-helpers';
import { addPhotos, scanGroup, SMALL_SCAN } from './fill';
import { unlock } from './helpers';
import { createVaultOn, home, launch, pair, row, STEP_MS, tab, type Device } from './relay-helpers';

const MARKER = 'arriving-marker-not-in-this-test';

type Hooks = { __holdingChunks: boolean; __releaseChunks(): number };

/** Runs in A's page before the app: holds scan chunks (type 0x64, kind 2, one frame each). */
function holdScanChunks() {
	const held: { channel: RTCDataChannel; data: Uint8Array }[] = [];
	const hooks = window as unknown as Hooks;
	hooks.__holdingChunks = true;
	const send = RTCDataChannel.prototype.send;
	RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: never) {
		const view = data as unknown;
		const bytes = ArrayBuffer.isView(view)
			? new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
			: undefined;
		const chunk = bytes && bytes[0] === 0xfb && bytes[13] === 0x64 && bytes[14] === 2;
		if (hooks.__holdingChunks && chunk) {
			held.push({ channel: this, data: bytes.slice() });
			return;
		}
		return send.call(this, data);
	};
	hooks.__releaseChunks = () => {
		hooks.__holdingChunks = false;
		const count = held.length;
		for (const { channel, data } of held.splice(0)) {
			if (channel.readyState === 'open') send.call(channel, data as never);
		}
		return count;
	};
}

let relay: RunningRelay;
const all: Device[] = [];

test.afterAll(async () => {
	for (const device of all) await device.browser.close();
	await relay?.close();
});

/** Opens `url` on B (a new page: locked) and unlocks it there. */
async function openUnlocked(device: Device, url: string) {
	await device.page.goto(url);
	await unlock(device.page);
}

test('photos still on their way from another device say so, hold Authorize back, then show', async () => {
	test.setTimeout(10 * 60_000); // a bound for a hung run on a loaded machine, not a duration
	relay = await startRelay({ port: 0 });
	const a = await launch('A', { marker: MARKER });
	const b = await launch('B', { marker: MARKER });
	all.push(a, b);
	await a.context.addInitScript(holdScanChunks);

	// A: a utility bill of one page.
	await createVaultOn(a, relay.url);
	await tab(a.page, 'Papers');
	await row(a.page, 'utility_bill').click();
	await addPhotos(scanGroup(a.page, 'Scans'), [SMALL_SCAN], 'gallery');
	await a.page.getByRole('button', { name: 'Save' }).click();
	await expect(home(a.page)).toBeVisible({ timeout: STEP_MS });

	// B joins while A holds the page back: the bill is listed at once.
	await pair(a, b, relay.url, 'Phone B');
	await expect(row(b.page, 'utility_bill')).toBeVisible({ timeout: STEP_MS });

	// A service asks B for the bill: Authorize waits for the page, and says why.
	const { consentUrl } = await openSignUp(b.page);
	await openUnlocked(b, withParam(consentUrl, 'scope', JSON.stringify({ v: 1, d: ['ub'] })));
	const waiting = b.page.getByText('Some photos of these papers are still arriving');
	await expect(waiting).toBeVisible({ timeout: STEP_MS });
	const authorize = b.page.getByRole('button', { name: 'Authorize' });
	await expect(authorize).toBeDisabled();
	await expect(authorize).toHaveAccessibleDescription(/still arriving/);

	// The bill's page on B: the photo says it is on its way.
	await openUnlocked(b, '/element/utility_bill');
	const scans = scanGroup(b.page, 'Scans');
	await expect(scans.getByRole('img', { name: /Arriving from your other device/ })).toBeVisible({
		timeout: STEP_MS
	});
	await expect(scans).toContainText('Arriving…');

	// A lets the page go: it shows on B without anything being touched.
	expect(
		await a.page.evaluate(() => (window as unknown as Hooks).__releaseChunks())
	).toBeGreaterThan(0);
	await expect(scans.locator('img')).toBeVisible({ timeout: STEP_MS });
	await expect
		.poll(() => scans.locator('img').evaluate((image: HTMLImageElement) => image.naturalWidth), {
			timeout: STEP_MS
		})
		.toBeGreaterThan(0);
	await expect(scans.getByText('Arriving…')).toHaveCount(0);

	// And the service's request can be answered.
	await openUnlocked(b, withParam(consentUrl, 'scope', JSON.stringify({ v: 1, d: ['ub'] })));
	await expect(authorize).toBeEnabled({ timeout: STEP_MS });
	await expect(waiting).toHaveCount(0);
});
