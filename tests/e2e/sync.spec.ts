/**
 * Sync between separate Chromium instances (separate browsers, so nothing shortcuts through a
 * BroadcastChannel or a shared IndexedDB), driven through the UI as a person would, against the
 * production build and a local relay this spec starts (so it can tap and restart it):
 *
 *   1. A and B pair through the link: same code on both screens, password on B; an edit on A
 *      shows on B; the device list shows both.
 *   2. Both edit while apart and the relay is down; the relay comes back: both versions are
 *      offered on /devices, the one picked wins on both devices.
 *   3. C pairs by scanning A's QR code with its camera (a fake camera playing the QR), and
 *      receives a vault of 20 MB of scans, even though it leaves in the middle of the transfer.
 *   4. A removes C while C misbehaves (a forged key handover and a fake "removed" notice, sent
 *      with C's real keys, attacker/): A stays unlocked, B takes the new key once its person types
 *      the password, A and B move to a new room; C is told it was removed, receives nothing
 *      new, and never subscribes to the new room.
 *   5. D pairs, and is removed with "Remove and change password" while its holder, who knows the
 *      password, sends B a key handover signed with the vault's authority: B takes only the key
 *      the new password opens, A's; D gets nothing new.
 *   6. A password change on A waits on B until the new password is typed there; lock state and
 *      device settings stay per device.
 *   7. No signaling message (tapped at the relay) and no data-channel payload (tapped in each
 *      browser by an init script, outside the app) contains the marker entered in the vault.
 *
 * The tests run in order and share the devices.
 */
import { chromium, devices, expect, test } from '@playwright/test';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { existsSync, writeFileSync } from 'node:fs';
import { chromiumArgs, WALLET_URL } from '../../playwright.config';
import { startRelay, type RunningRelay } from '../../scripts/relay.js';
import { createVault, PASSWORD, unlock } from './helpers';
import { ATTACKER_USER_AGENT, misbehave } from './attacker/misbehaving';
import { dumpDevice, openDump } from './attacker/stolen-device';
import { noticesShown, recordNotices, storedHeaderKey, storedRemovals } from './sync-witness';

const EXECUTABLE =
	process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
// SYNC_MARKER lets a run check the taps themselves: 'records' (a Yjs map name) is on the wire.
const MARKER = process.env.SYNC_MARKER ?? 'zqmarker7f3a9c';
const email = (tag: string) => `${MARKER}.${tag}@example.org`;
const NEW_PASSWORD = 'a brand new password for every device';
const REMOVAL_PASSWORD = 'the password changed when Phone D was removed';
const SCAN_COUNT = 7;

/*
 * Bounds for the slow steps. Every wait below is on a condition and returns as soon as it holds;
 * these numbers only turn a hung step into a failure. With four times more runnable work than
 * cores, steps that take a second or two idle (a sync round, a KDF, opening a scan) took more
 * than the 10-15 s they were given, and the 20 MB transfer more than its 10 s predicate.
 */
/** One step through the UI that involves sync, pairing, a KDF or sealing scans. */
const STEP_MS = 90_000;
/** The 20 MB vault crossing WebRTC and being sealed into IndexedDB on the other side. */
const TRANSFER_MS = 600_000;
/** A whole test: several steps in a row (a bound for a hung run, not an expected duration). */
const TEST_MS = 15 * 60_000;

interface Tap {
	bytesIn: number;
	bytesOut: number;
	frames: number;
	largest: number;
	markerHits: number;
}

interface Device {
	name: string;
	browser: Browser;
	context: BrowserContext;
	page: Page;
	tap: Tap;
}

interface Signal {
	text: string;
	connection: number;
	userAgent: string;
	at: number;
}

/**
 * Runs before the app in every page: counts every data-channel payload in both directions and
 * looks for the marker's bytes in it. It wraps the browser's RTCDataChannel and RTCPeerConnection,
 * so it sees exactly what crosses the wire, whatever the app does.
 */
function dataChannelTap(marker: string) {
	const needle = new TextEncoder().encode(marker);
	const pending = { bytesIn: 0, bytesOut: 0, frames: 0, largest: 0, markerHits: 0 };
	const report = (window as unknown as { __papiersTap: (t: typeof pending) => void }).__papiersTap;
	const flush = () => {
		if (pending.frames === 0) return;
		report({ ...pending });
		pending.bytesIn = pending.bytesOut = pending.frames = pending.largest = pending.markerHits = 0;
	};
	setInterval(flush, 100);
	const contains = (bytes: Uint8Array) => {
		outer: for (let i = bytes.indexOf(needle[0]); i >= 0; i = bytes.indexOf(needle[0], i + 1)) {
			if (i + needle.length > bytes.length) return false;
			for (let j = 1; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
			return true;
		}
		return false;
	};
	const seen = (direction: 'in' | 'out', data: unknown) => {
		let bytes: Uint8Array;
		if (typeof data === 'string') bytes = new TextEncoder().encode(data);
		else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
		else if (ArrayBuffer.isView(data))
			bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
		else return;
		pending.frames++;
		pending.largest = Math.max(pending.largest, bytes.length);
		if (direction === 'in') pending.bytesIn += bytes.length;
		else pending.bytesOut += bytes.length;
		if (contains(bytes)) {
			pending.markerHits++;
			flush();
		}
	};
	const send = RTCDataChannel.prototype.send;
	RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: never) {
		seen('out', data);
		return send.call(this, data);
	};
	const watch = (channel: RTCDataChannel) =>
		channel.addEventListener('message', (event) => seen('in', event.data));
	const Native = window.RTCPeerConnection;
	window.RTCPeerConnection = class extends Native {
		constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
			super(...args);
			this.addEventListener('datachannel', (event) => watch(event.channel));
		}
		createDataChannel(...args: Parameters<RTCPeerConnection['createDataChannel']>) {
			const channel = super.createDataChannel(...args);
			watch(channel);
			return channel;
		}
	};
}

let relay: RunningRelay;
let relayPort = 0;
const signals: Signal[] = [];
const onSignal = (text: string, from: { connection: number; userAgent: string }) =>
	signals.push({ text, ...from, at: Date.now() });
const all: Device[] = [];
let a: Device;
let b: Device;
let c: Device;

async function launch(name: string, extraArgs: string[] = []): Promise<Device> {
	const browser = await chromium.launch({
		executablePath: EXECUTABLE,
		args: [...chromiumArgs, ...extraArgs]
	});
	const phone = devices['Pixel 7'];
	const context = await browser.newContext({
		...phone,
		baseURL: WALLET_URL,
		locale: 'en-US',
		userAgent: `${phone.userAgent} PapiersTest/${name}`
	});
	const tap: Tap = { bytesIn: 0, bytesOut: 0, frames: 0, largest: 0, markerHits: 0 };
	await context.exposeFunction('__papiersTap', (counts: Tap) => {
		tap.bytesIn += counts.bytesIn;
		tap.bytesOut += counts.bytesOut;
		tap.frames += counts.frames;
		tap.largest = Math.max(tap.largest, counts.largest);
		tap.markerHits += counts.markerHits;
	});
	await context.addInitScript(dataChannelTap, MARKER);
	const page = await context.newPage();
	const device = { name, browser, context, page, tap };
	all.push(device);
	return device;
}

/** A new tab of the same browser (same storage), as after closing and reopening the app. */
async function reopen(device: Device): Promise<Page> {
	device.page = await device.context.newPage();
	await device.page.goto('/');
	await expect(device.page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
	await unlock(device.page);
	await expect(home(device.page)).toBeVisible({ timeout: STEP_MS });
	return device.page;
}

const home = (page: Page) => page.getByRole('heading', { level: 1, name: 'Your papers' });
const row = (page: Page, type: string) => page.locator(`main a[href="/element/${type}"]`);

/** In-app navigation: a reload would lock the vault. */
async function tab(page: Page, name: 'Papers' | 'Devices' | 'Settings') {
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
}

async function useTestRelay(page: Page) {
	const field = page.getByLabel('Signaling relays (one per line)');
	await field.fill(relay.url);
	await page.getByRole('button', { name: 'Save sync settings' }).click();
	await expect(page.getByText('Sync settings saved.')).toBeVisible();
}

async function setEmail(page: Page, value: string) {
	await tab(page, 'Papers');
	await row(page, 'email').click();
	await page.getByLabel('Email address').fill(value);
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(home(page)).toBeVisible({ timeout: STEP_MS });
	await expect(row(page, 'email')).toContainText(value);
}

/** Reads the vault's IndexedDB from the test, without the app: bytes of all stored scans. */
function storedScanBytes(page: Page): Promise<number> {
	return page.evaluate(
		() =>
			new Promise<number>((resolve, reject) => {
				const request = indexedDB.open('papiers');
				request.onerror = () => reject(request.error);
				request.onsuccess = () => {
					const db = request.result;
					if (!db.objectStoreNames.contains('scans')) return resolve(0);
					const all = db.transaction('scans').objectStore('scans').getAll();
					all.onsuccess = () => {
						db.close();
						resolve(
							all.result.reduce((sum: number, row: { ct: Uint8Array }) => sum + row.ct.length, 0)
						);
					};
					all.onerror = () => reject(all.error);
				};
			})
	);
}

/** Pixels of random noise as a JPEG: stays large through the app's re-encoding, like a photo. */
async function noiseJpeg(page: Page, seed: number): Promise<Buffer> {
	const base64 = await page.evaluate(async (index) => {
		const size = 2048;
		const canvas = new OffscreenCanvas(size, size);
		const context = canvas.getContext('2d')!;
		const image = context.createImageData(size, size);
		for (let offset = 0; offset < image.data.length; offset += 65536) {
			crypto.getRandomValues(
				image.data.subarray(offset, Math.min(image.data.length, offset + 65536))
			);
		}
		for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
		context.putImageData(image, 0, 0);
		context.fillText(`scan ${index}`, 20, 20);
		const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.95 });
		const bytes = new Uint8Array(await blob.arrayBuffer());
		let text = '';
		for (let i = 0; i < bytes.length; i += 32768)
			text += String.fromCharCode(...bytes.subarray(i, i + 32768));
		return btoa(text);
	}, seed);
	return Buffer.from(base64, 'base64');
}

/** A Y4M video of one frame showing the QR image's pixels, for Chromium's fake camera. */
function qrVideo(qr: { width: number; height: number; gray: number[] }, path: string) {
	const [width, height] = [640, 480];
	const y = Buffer.alloc(width * height, 255);
	const left = Math.floor((width - qr.width) / 2);
	const top = Math.floor((height - qr.height) / 2);
	for (let row = 0; row < qr.height; row++) {
		for (let col = 0; col < qr.width; col++)
			y[(top + row) * width + left + col] = qr.gray[row * qr.width + col];
	}
	const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
	const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
	writeFileSync(
		path,
		Buffer.concat([
			Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`),
			frame,
			frame
		])
	);
}

async function pairingLink(page: Page): Promise<string> {
	await tab(page, 'Devices');
	await page.getByRole('button', { name: 'Add a device' }).click();
	await expect(
		page.getByRole('img', { name: 'QR code of the one-time pairing link' })
	).toBeVisible();
	return page.getByLabel('One-time link').inputValue();
}

/** Both screens show one code; the person confirms it on the device that has the vault. */
async function compareAndConfirm(host: Page, joiner: Page) {
	const hostCode = host.getByTestId('pairing-code');
	const joinCode = joiner.getByTestId('pairing-code');
	await expect(hostCode).toBeVisible({ timeout: STEP_MS });
	await expect(joinCode).toBeVisible({ timeout: STEP_MS });
	const shown = (await hostCode.innerText()).replace(/\s/g, '');
	expect(shown).toMatch(/^\d{6}$/);
	expect((await joinCode.innerText()).replace(/\s/g, '')).toBe(shown);
	await host.getByRole('button', { name: 'The codes match' }).click();
	await expect(host.getByText(/received the vault/)).toBeVisible({ timeout: STEP_MS });
}

async function enterPasswordAfterPairing(page: Page) {
	await expect(page.getByRole('heading', { name: 'Your vault is here. Unlock it' })).toBeVisible({
		timeout: STEP_MS
	});
	await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
	await page.getByRole('button', { name: 'Unlock' }).click();
	await expect(home(page)).toBeVisible({ timeout: STEP_MS });
}

async function joinerSettings(page: Page, name: string) {
	await page.goto('/pair');
	await page.getByText('Connection settings').click();
	await useTestRelay(page);
	await page.getByLabel('Device name').fill(name);
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number) {
	const started = Date.now();
	for (;;) {
		const value = await probe();
		if (done(value)) return { value, ms: Date.now() - started };
		if (Date.now() - started > timeoutMs) throw new Error(`Timed out; last value ${String(value)}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

test.describe.configure({ mode: 'serial' });

test.describe('sync between devices', () => {
	test.beforeAll(async () => {
		relay = await startRelay({ port: 0, onMessage: onSignal });
		relayPort = relay.port;
		a = await launch('A');
		b = await launch('B');
	});

	test.afterAll(async () => {
		for (const device of all) await device.browser.close();
		await relay?.close();
	});

	test('A and B pair through the link, compare the code, and an edit on A shows on B', async () => {
		test.setTimeout(TEST_MS);
		await createVault(a.page);
		await tab(a.page, 'Settings');
		// Settings refuse what sync cannot use, and say why.
		await a.page.getByLabel('Signaling relays (one per line)').fill('http://relay.example');
		await a.page.getByRole('button', { name: 'Add a STUN or TURN server' }).click();
		await a.page.getByLabel('Address (stun:, turn: or turns:)').fill('turn:turn.example.org:3478');
		await a.page.getByRole('button', { name: 'Save sync settings' }).click();
		await expect(
			a.page.getByText('Line 1: a relay address starts with wss:// or ws://.')
		).toBeVisible();
		await expect(a.page.getByText('A TURN server needs a username and a password.')).toBeVisible();
		await a.page.getByRole('button', { name: 'Remove server 1' }).click();
		await useTestRelay(a.page);
		await setEmail(a.page, email('one'));

		const link = await pairingLink(a.page);
		expect(link).toMatch(new RegExp(`^${WALLET_URL}/pair#[A-Za-z0-9_-]{43}$`));
		await expect(a.page.getByText(/^Expires in [89]:\d\d$/)).toBeVisible();

		await joinerSettings(b.page, 'Tablet B');
		await b.page.goto(link);
		await expect(b.page).toHaveURL(`${WALLET_URL}/pair`); // the secret leaves the address bar
		await compareAndConfirm(a.page, b.page);
		await expect(b.page.getByText('This vault is also on: Android.')).toBeVisible();
		await enterPasswordAfterPairing(b.page);
		await expect(row(b.page, 'email')).toContainText(email('one'), { timeout: STEP_MS });

		// One edit on A, seen on B.
		await tab(a.page, 'Papers');
		await row(a.page, 'email').click();
		await a.page.getByLabel('Email address').fill(email('two'));
		const saved = Date.now();
		await a.page.getByRole('button', { name: 'Save' }).click();
		await expect(row(b.page, 'email')).toContainText(email('two'), { timeout: STEP_MS });
		console.info(`sync e2e: an edit on A visible on B ${Date.now() - saved} ms after Save`);

		// Names, this device, connected now; A renames itself.
		await tab(a.page, 'Devices');
		await a.page.getByRole('button', { name: 'Rename Android' }).click();
		await a.page.getByLabel('Device name').fill('Phone A');
		await a.page.getByRole('button', { name: 'Save' }).click();
		await tab(b.page, 'Devices');
		const rows = b.page.getByTestId('device-row');
		await expect(rows).toHaveCount(2);
		await expect(rows.filter({ hasText: 'Tablet B' })).toContainText('This device');
		await expect(rows.filter({ hasText: 'Phone A' })).toContainText('Connected now', {
			timeout: STEP_MS
		});
		await expect(b.page.getByTestId('sync-peers')).toHaveText('1 device');
	});

	test('edits made apart while the relay is down are both offered; the one kept wins everywhere', async () => {
		test.setTimeout(TEST_MS);
		await b.page.close();
		await relay.close();
		await tab(a.page, 'Devices');
		await expect(a.page.getByTestId('sync-peers')).toHaveText('0 devices', { timeout: STEP_MS });

		await setEmail(a.page, email('from-a'));
		await tab(a.page, 'Devices');
		await expect(a.page.getByTestId('sync-pending')).toHaveText(/^[1-9]\d* changes?$/);

		const bPage = await reopen(b);
		await setEmail(bPage, email('from-b'));

		relay = await startRelay({ port: relayPort, onMessage: onSignal });
		const conflict = a.page.getByTestId('conflict');
		await expect(conflict).toBeVisible({ timeout: STEP_MS });
		await expect(conflict.getByRole('heading', { name: 'Email' })).toBeVisible();
		const versions = conflict.getByTestId('conflict-version');
		await expect(versions).toHaveCount(2);
		const texts = await versions.allInnerTexts();
		expect([...texts].sort()).toEqual([email('from-a'), email('from-b')].sort());
		await expect(a.page.getByTestId('sync-pending')).toHaveText('Nothing');

		const keepB = texts.indexOf(email('from-b')) + 1;
		await a.page.getByRole('button', { name: `Keep version ${keepB} of Email` }).click();
		await expect(conflict).toHaveCount(0);
		await expect(row(bPage, 'email')).toContainText(email('from-b'), { timeout: STEP_MS });
		await tab(a.page, 'Papers');
		await expect(row(a.page, 'email')).toContainText(email('from-b'));
		await tab(bPage, 'Devices');
		await expect(bPage.getByTestId('device-row')).toHaveCount(2);
		await expect(bPage.getByTestId('conflict')).toHaveCount(0);
	});

	test('C pairs by scanning the QR code and gets 20 MB of scans, though it leaves mid-transfer', async ({}, testInfo) => {
		test.setTimeout(TEST_MS);
		await b.page.close(); // A alone holds the vault while C joins

		// 20 MB of scans, through the editor like any photo.
		await tab(a.page, 'Papers');
		await row(a.page, 'utility_bill').click();
		const files = [];
		for (let i = 0; i < SCAN_COUNT; i++) {
			files.push({
				name: `bill-${i}.jpg`,
				mimeType: 'image/jpeg',
				buffer: await noiseJpeg(a.page, i)
			});
		}
		const scans = a.page.getByRole('group', { name: 'Scans' });
		const chooser = a.page.waitForEvent('filechooser');
		await scans.getByRole('button', { name: /^Choose from gallery/ }).click();
		await (await chooser).setFiles(files);
		await expect(scans.getByRole('button', { name: /^View / })).toHaveCount(SCAN_COUNT, {
			timeout: STEP_MS
		});
		await a.page.getByRole('button', { name: 'Save' }).click();
		await expect(home(a.page)).toBeVisible({ timeout: STEP_MS });
		await expect(row(a.page, 'utility_bill')).toContainText(`${SCAN_COUNT} scans`);
		const total = await storedScanBytes(a.page);
		expect(total).toBeGreaterThan(20_000_000);

		// A's QR code, played by C's camera.
		await pairingLink(a.page);
		const qr = await a.page
			.getByRole('img', { name: 'QR code of the one-time pairing link' })
			.evaluate((image: HTMLImageElement) => {
				const canvas = document.createElement('canvas');
				canvas.width = image.naturalWidth;
				canvas.height = image.naturalHeight;
				const context = canvas.getContext('2d')!;
				context.drawImage(image, 0, 0);
				const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
				const gray: number[] = [];
				for (let i = 0; i < data.length; i += 4) gray.push(data[i]);
				return { width: canvas.width, height: canvas.height, gray };
			});
		const video = testInfo.outputPath('qr.y4m');
		qrVideo(qr, video);
		c = await launch('C', [
			'--use-fake-device-for-media-stream',
			'--use-fake-ui-for-media-stream',
			`--use-file-for-fake-video-capture=${video}`
		]);
		await c.context.grantPermissions(['camera'], { origin: WALLET_URL });
		await joinerSettings(c.page, 'Phone C');
		await c.page.getByRole('button', { name: 'Scan the QR code' }).click();
		await compareAndConfirm(a.page, c.page);

		// C unlocks; the vault starts to flow; C goes away after the first megabyte.
		const started = c.tap.bytesIn;
		await enterPasswordAfterPairing(c.page);
		await until(
			async () => c.tap.bytesIn - started,
			(n) => n > 1_000_000,
			STEP_MS
		);
		await c.page.close();
		c.page = await c.context.newPage();
		await c.page.goto('/');
		await expect(c.page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
		const partial = await storedScanBytes(c.page);
		expect(partial).toBeLessThan(total);

		// Back again: the transfer completes.
		const back = Date.now();
		await unlock(c.page);
		await expect(home(c.page)).toBeVisible({ timeout: STEP_MS });
		const arrival = await until(
			() => storedScanBytes(c.page),
			(n) => n === total,
			TRANSFER_MS
		);
		console.info(
			`sync e2e: 20 MB vault (${total} bytes of sealed scans) complete on C ${Date.now() - back} ms after its return (had ${partial})`
		);
		void arrival;
		await expect(row(c.page, 'utility_bill')).toContainText(`${SCAN_COUNT} scans`);
		await row(c.page, 'utility_bill').click();
		const views = c.page
			.getByRole('group', { name: 'Scans' })
			.getByRole('button', { name: /^View / });
		await expect(views).toHaveCount(SCAN_COUNT);
		// Seven 2048 px scans opened (20 MB decrypted) and decoded: slow on a loaded machine.
		await expect
			.poll(
				() =>
					views
						.locator('img')
						.evaluateAll(
							(images) =>
								images.filter((image) => (image as HTMLImageElement).naturalWidth > 0).length
						),
				{ timeout: STEP_MS }
			)
			.toBe(SCAN_COUNT);
		await c.page.getByRole('link', { name: '← Back' }).click();
		await expect(home(c.page)).toBeVisible();
	});

	test('removing C gives A and B a new key and room, though C misbehaves; C gets nothing new, never finds the room', async () => {
		// Generous: three Chromiums and the Node attacker on a loaded 2-core machine; A seals the
		// 20 MB vault again, B takes it, and each Argon2id run takes seconds there.
		test.setTimeout(TEST_MS);
		const reopened = Date.now();
		const bPage = await reopen(b);
		await expect(row(bPage, 'utility_bill')).toContainText(`${SCAN_COUNT} scans`, {
			timeout: STEP_MS
		});
		// B waits on /devices, where "removed" would show; every notice it shows is recorded.
		await tab(bPage, 'Devices');
		await recordNotices(bPage);
		await tab(a.page, 'Devices');
		await expect(a.page.getByTestId('device-row')).toHaveCount(3, { timeout: STEP_MS });
		const roomsBefore = new Set(subscribedTopics(() => true));
		const oldRooms = new Set([...roomsBefore].filter(isRoom));

		// C turns against the vault before it is removed. Its modified code (played in Node with
		// the project's modules, misbehaving.ts) holds what the unlocked C holds: the vault key and
		// C's real device key, not the password. On the generation's handover mailbox it sends B a
		// key handover forged with C's device key and a "removed" notice naming B, and it answers
		// every "ask" with them.
		const stolen = await openDump(await dumpDevice(c.page), PASSWORD);
		const idOf = (name: string) => {
			const device = stolen.devices.find((listed) => listed.name === name);
			if (!device) throw new Error(`${name} is not in C's registry`);
			return device.id;
		};
		const attack = await misbehave({
			stolen,
			relayUrl: relay.url,
			victimId: idOf('Tablet B'),
			framedId: idOf('Phone A')
		});
		try {
			expect(attack.forged.senderId).toBe(stolen.identity.deviceId);
			expect(Object.keys(attack.forged.envelopes)).toContain(idOf('Tablet B'));
			expect(attack.fakeRemoval?.removed).toEqual([idOf('Tablet B')]);
			// Both reach B before A's real handover: B has listened on that mailbox since it
			// reopened, and the relay passes each message to every subscriber as it takes it in.
			await until(
				async () =>
					subscribedTopics(
						(signal) => signal.at >= reopened && signal.userAgent.includes('PapiersTest/B')
					).includes(attack.topic),
				Boolean,
				STEP_MS
			);
			const published = () => attackerPublishes(attack.topic);
			const before = published();
			attack.send();
			await until(
				async () => published(),
				(count) => count >= before + 2,
				STEP_MS
			);

			await a.page.getByRole('button', { name: 'Remove Phone C' }).click();
			const dialog = a.page.getByRole('dialog', { name: 'Remove Phone C?' });
			await dialog.getByLabel('Current password').fill('not the password');
			await dialog.getByRole('button', { name: 'Remove Phone C' }).click();
			await expect(dialog.getByText('Wrong password. Nothing was changed; try again.')).toBeVisible(
				{ timeout: STEP_MS }
			);
			await dialog.getByLabel('Current password').fill(PASSWORD);
			await dialog.getByRole('button', { name: 'Remove Phone C' }).click();
			// A carries on under the new key, still unlocked.
			await expect(dialog).toBeHidden({ timeout: STEP_MS * 2 });
			await expect(a.page).toHaveURL(/\/devices$/);
			await expect(a.page.getByTestId('device-row')).toHaveCount(2, { timeout: STEP_MS });
			await expect(a.page.getByRole('heading', { name: 'Unlock Papiers' })).toHaveCount(0);
			await expect(a.page.getByRole('navigation', { name: 'Main' })).toBeVisible();
			const aMoved = Date.now();

			// B pauses for A's change and asks for the password; it does not lock.
			const notice = bPage.getByTestId('key-change');
			await expect(
				notice.getByRole('heading', { name: 'Your vault key was changed on Phone A' })
			).toBeVisible({ timeout: STEP_MS });
			const bPaused = Date.now();
			await notice.getByLabel('Password', { exact: true }).fill('not the password');
			await notice.getByRole('button', { name: 'Continue' }).click();
			await expect(notice.getByText('This password does not open the new keys.')).toBeVisible({
				timeout: STEP_MS
			});
			await notice.getByLabel('Password', { exact: true }).fill(PASSWORD);
			await notice.getByRole('button', { name: 'Continue' }).click();
			await expect(notice).toHaveCount(0, { timeout: STEP_MS * 2 });
			await expect(bPage.getByRole('heading', { name: 'Unlock Papiers' })).toHaveCount(0);
			await tab(bPage, 'Devices');
			await expect(bPage.getByTestId('device-row')).toHaveCount(2, { timeout: STEP_MS });
			await tab(bPage, 'Papers');
			await expect(row(bPage, 'utility_bill')).toContainText(`${SCAN_COUNT} scans`, {
				timeout: STEP_MS
			});

			// The forgeries changed nothing: B never named C, never said it was removed.
			expect(attack.rounds).toBeGreaterThan(0);
			const shown = await noticesShown(bPage);
			expect(shown.keyChanges).toEqual(['Your vault key was changed on Phone A']);
			expect(shown.removed).toBe(0);
			expect(await storedRemovals(bPage)).toEqual([]);

			// C learns it was removed (from A's signed handover).
			await tab(c.page, 'Devices');
			await expect(c.page.getByTestId('device-removed')).toBeVisible({ timeout: STEP_MS });

			// An edit on A reaches B, in the new room.
			await setEmail(a.page, email('after-removal'));
			await expect(row(bPage, 'email')).toContainText(email('after-removal'), {
				timeout: STEP_MS
			});
			// B took the key without a second version of its own registry record (the removal wrote
			// it): nothing to settle on either device, so a next removal can go ahead.
			for (const page of [a.page, bPage]) {
				await tab(page, 'Devices');
				await expect(page.getByTestId('device-row')).toHaveCount(2);
				await expect(page.getByTestId('conflict')).toHaveCount(0);
			}
			// Neither A nor B said anything in the old rooms once they had moved.
			const oldRoomTalk = signals.filter((signal) => {
				const mark = signal.userAgent.includes('PapiersTest/A')
					? aMoved
					: signal.userAgent.includes('PapiersTest/B')
						? bPaused
						: Infinity;
				return signal.at >= mark && publishesTo(signal, oldRooms);
			});
			expect(oldRoomTalk.map((signal) => signal.text.slice(0, 80))).toEqual([]);

			// C, locked and opened again, runs sync in its old room only and holds nothing new.
			await tab(c.page, 'Papers');
			await c.page.getByRole('button', { name: 'Lock' }).click();
			const relocked = Date.now();
			await unlock(c.page);
			await expect(home(c.page)).toBeVisible({ timeout: STEP_MS });
			await until(
				async () =>
					subscribedTopics(
						(signal) => signal.at >= relocked && signal.userAgent.includes('PapiersTest/C')
					).filter(isRoom).length,
				(count) => count > 0,
				STEP_MS
			);
			await expect(row(c.page, 'email')).toContainText(email('from-b'));
			// Everything C stores, opened with every key C has: the old papers, nothing saved since.
			const heldByC = (await openDump(await dumpDevice(c.page), PASSWORD)).plaintexts.join('\n');
			expect(heldByC).toContain(email('from-b'));
			expect(heldByC).not.toContain(email('after-removal'));

			// The new room: subscribed by A and B, never by C, not even after C unlocked again.
			const newRooms = subscribedTopics(
				(signal) => !signal.userAgent.includes('PapiersTest/C')
			).filter((topic) => isRoom(topic) && !roomsBefore.has(topic));
			expect(newRooms.length).toBeGreaterThan(0);
			const roomsOfC = subscribedTopics((signal) => signal.userAgent.includes('PapiersTest/C'));
			expect(roomsOfC.filter(isRoom).length).toBeGreaterThan(0);
			for (const topic of newRooms) expect(roomsOfC).not.toContain(topic);
			// The attacker, answering every ask on the old mailbox, never got the new room either.
			expect(subscribedTopics((signal) => signal.userAgent === ATTACKER_USER_AGENT)).toEqual([
				attack.topic
			]);
		} finally {
			attack.close();
		}
	});

	test('D, removed though whoever has it knows the password, cannot take B over after "Remove and change password"', async () => {
		// Generous: a fourth Chromium pairs and receives the 20 MB vault on a loaded 2-core
		// machine, A seals the vault again, B takes it, and each Argon2id run takes seconds there.
		test.setTimeout(TEST_MS);
		const bPage = b.page;
		const d = await launch('D');
		const link = await pairingLink(a.page);
		await joinerSettings(d.page, 'Phone D');
		await d.page.goto(link);
		await compareAndConfirm(a.page, d.page);
		await enterPasswordAfterPairing(d.page);
		await tab(bPage, 'Devices');
		await expect(bPage.getByTestId('device-row')).toHaveCount(3, { timeout: STEP_MS });
		await tab(a.page, 'Devices');
		await expect(a.page.getByTestId('device-row')).toHaveCount(3, { timeout: STEP_MS });
		await recordNotices(bPage);

		// D turns. Its holder knows the password, so its modified code also has the vault's
		// authority: it signs a key handover sealed with D's real device key, whose new header it
		// wrapped under a password of its own.
		const { value: stolen } = await until(
			async () => openDump(await dumpDevice(d.page), PASSWORD, true),
			(held) => ['Phone A', 'Tablet B'].every((name) => held.devices.some((x) => x.name === name)),
			STEP_MS
		);
		const bId = stolen.devices.find((device) => device.name === 'Tablet B')!.id;
		const attack = await misbehave({ stolen, relayUrl: relay.url, victimId: bId });
		try {
			expect(attack.forged.senderId).toBe(stolen.identity.deviceId);
			expect(attack.fakeRemoval).toBeUndefined();
			// B listens on this generation's mailbox since it took the key from A.
			expect(subscribedTopics((signal) => signal.userAgent.includes('PapiersTest/B'))).toContain(
				attack.topic
			);
			const published = () => attackerPublishes(attack.topic);
			const before = published();
			attack.send();
			await until(
				async () => published(),
				(count) => count > before,
				STEP_MS
			);

			// Signed by the vault's authority, it reaches B: B pauses and asks, it takes nothing.
			const notice = bPage.getByTestId('key-change');
			await expect(
				notice.getByRole('heading', { name: 'Your vault key was changed on Phone D' })
			).toBeVisible({ timeout: STEP_MS });
			const bHeader = await storedHeaderKey(bPage);

			// The owner removes D and changes the password in the same step; A stays unlocked.
			await a.page.getByRole('button', { name: 'Remove Phone D' }).click();
			const dialog = a.page.getByRole('dialog', { name: 'Remove Phone D?' });
			await dialog.getByLabel('Current password').fill(PASSWORD);
			await dialog.getByLabel('Whoever has it might know the password').check();
			await dialog.getByLabel('New password', { exact: true }).fill(REMOVAL_PASSWORD);
			await dialog.getByLabel('Confirm new password').fill(REMOVAL_PASSWORD);
			await dialog.getByRole('button', { name: 'Remove and change password' }).click();
			await expect(dialog).toBeHidden({ timeout: STEP_MS * 2 });
			await expect(a.page.getByTestId('device-row')).toHaveCount(2, { timeout: STEP_MS });
			await expect(a.page.getByRole('heading', { name: 'Unlock Papiers' })).toHaveCount(0);
			const aHeader = await storedHeaderKey(a.page);

			// On B the old password opens neither change; the new one opens A's, never D's.
			await expect(
				notice.getByRole('heading', { name: 'Your vault key was changed on Phone A' })
			).toBeVisible({ timeout: STEP_MS });
			expect(await storedHeaderKey(bPage)).toBe(bHeader);
			await notice.getByLabel('Password', { exact: true }).fill(PASSWORD);
			await notice.getByRole('button', { name: 'Continue' }).click();
			await expect(notice.getByText('This password does not open the new keys.')).toBeVisible({
				timeout: STEP_MS
			});
			await notice.getByLabel('Password', { exact: true }).fill(REMOVAL_PASSWORD);
			await notice.getByRole('button', { name: 'Continue' }).click();
			await expect(notice).toHaveCount(0, { timeout: STEP_MS * 2 });
			expect(await storedHeaderKey(bPage)).toBe(aHeader);
			await expect(bPage.getByRole('heading', { name: 'Unlock Papiers' })).toHaveCount(0);
			await tab(bPage, 'Devices');
			await expect(bPage.getByTestId('device-row')).toHaveCount(2, { timeout: STEP_MS });
			expect((await noticesShown(bPage)).removed).toBe(0);

			// D is told it was removed; an edit on A reaches B, and nothing of it reaches D.
			await tab(d.page, 'Devices');
			await expect(d.page.getByTestId('device-removed')).toBeVisible({ timeout: STEP_MS });
			await setEmail(a.page, email('after-d'));
			await tab(bPage, 'Papers');
			await expect(row(bPage, 'email')).toContainText(email('after-d'), { timeout: STEP_MS });
			const heldByD = (await openDump(await dumpDevice(d.page), PASSWORD)).plaintexts.join('\n');
			expect(heldByD).toContain(email('after-removal'));
			expect(heldByD).not.toContain(email('after-d'));
		} finally {
			attack.close();
		}
	});

	test('a password change on A waits on B for the new password; lock state and device settings stay per device', async () => {
		test.setTimeout(TEST_MS);
		const bPage = b.page;
		await tab(bPage, 'Papers');
		await recordNotices(bPage);
		const bHeader = await storedHeaderKey(bPage);
		await tab(a.page, 'Settings');
		await a.page.getByLabel('Current password').fill(REMOVAL_PASSWORD);
		await a.page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
		await a.page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
		await a.page.getByRole('button', { name: 'Change password' }).click();
		await expect(a.page.getByText('Password changed.')).toBeVisible({ timeout: STEP_MS });
		const header = await storedHeaderKey(a.page);
		expect(header).not.toBe(bHeader);

		// B keeps A's header aside: B's own still opens with the old password, until the new one
		// is typed here.
		await until(
			() => storedHeaderKey(bPage, 'pending'),
			(key) => key === header,
			STEP_MS
		);
		expect(await storedHeaderKey(bPage)).toBe(bHeader);
		const notice = bPage.getByTestId('key-change');
		await expect(
			notice.getByRole('heading', { name: 'Your password was changed on another device' })
		).toBeVisible({ timeout: STEP_MS });

		// Device settings on A: French, 1 minute; then A locks. B keeps its own.
		await a.page.getByLabel('Lock automatically after').selectOption('1');
		await a.page.getByLabel('Language').selectOption('fr');
		await expect(a.page.getByRole('heading', { level: 1, name: 'Réglages' })).toBeVisible();
		await expect(a.page.getByRole('heading', { name: 'Synchronisation' })).toBeVisible();
		await a.page.getByLabel('Relais de signalisation (un par ligne)').fill('https://relay.example');
		await a.page
			.getByRole('button', { name: 'Enregistrer les réglages de synchronisation' })
			.click();
		await expect(
			a.page.getByText('Ligne 1 : l’adresse d’un relais commence par wss:// ou ws://.')
		).toBeVisible();
		await a.page
			.getByRole('navigation', { name: 'Principal' })
			.getByRole('link', { name: 'Appareils' })
			.click();
		await expect(a.page.getByTestId('device-row').filter({ hasText: 'Tablet B' })).toContainText(
			'Connecté'
		);
		await expect(a.page.getByRole('button', { name: 'Ajouter un appareil' })).toBeVisible();
		await a.page.getByRole('button', { name: 'Verrouiller' }).click();
		await tab(bPage, 'Settings');
		await expect(bPage.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
		await expect(bPage.getByLabel('Lock automatically after')).toHaveValue('5');
		await expect(bPage.getByRole('button', { name: 'Lock' })).toBeVisible();

		// B still opens with the old password, and asks again for the new one.
		await bPage.getByRole('button', { name: 'Lock' }).click();
		await unlock(bPage, REMOVAL_PASSWORD);
		await expect(bPage.getByRole('navigation', { name: 'Main' })).toBeVisible({ timeout: STEP_MS });
		await expect(
			notice.getByRole('heading', { name: 'Your password was changed on another device' })
		).toBeVisible({ timeout: STEP_MS });
		expect(await storedHeaderKey(bPage)).toBe(bHeader);

		// The new password typed in the notice makes A's header B's own.
		await notice.getByLabel('Password', { exact: true }).fill(REMOVAL_PASSWORD);
		await notice.getByRole('button', { name: 'Use the new password' }).click();
		await expect(notice.getByText('This is not the new password.')).toBeVisible({
			timeout: STEP_MS
		});
		await notice.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
		await notice.getByRole('button', { name: 'Use the new password' }).click();
		await expect(notice).toHaveCount(0, { timeout: STEP_MS });
		expect(await storedHeaderKey(bPage)).toBe(header);
		expect(await storedHeaderKey(bPage, 'pending')).toBe('');
		expect((await noticesShown(bPage)).keyChanges).toEqual([
			'Your password was changed on another device'
		]);

		// From then on the old password is refused on B.
		await bPage.getByRole('button', { name: 'Lock' }).click();
		await unlock(bPage, REMOVAL_PASSWORD);
		await expect(bPage.getByText('Wrong password. Nothing was changed; try again.')).toBeVisible({
			timeout: STEP_MS
		});
		await unlock(bPage, NEW_PASSWORD);
		await expect(bPage.getByRole('navigation', { name: 'Main' })).toBeVisible({ timeout: STEP_MS });
		await expect(notice).toHaveCount(0);
	});

	test('no signaling message and no data-channel payload carries what is in the vault', async () => {
		expect(signals.length).toBeGreaterThan(10);
		expect(signals.some((signal) => signal.text.includes('"publish"'))).toBe(true);
		for (const signal of signals) expect(signal.text).not.toContain(MARKER);
		const frames = all.reduce((sum, device) => sum + device.tap.frames, 0);
		const received = all.reduce((sum, device) => sum + device.tap.bytesIn, 0);
		console.info(
			`sync e2e: ${signals.length} signaling messages, ${frames} data-channel payloads, ` +
				`${received} bytes received, largest ${Math.max(...all.map((d) => d.tap.largest))} bytes`
		);
		for (const device of all) {
			expect(device.tap.markerHits, `marker in ${device.name}'s data channels`).toBe(0);
			// Every data-channel message is a frame of at most 64 KiB (y-webrtc alone sends 20 MB in one).
			expect(device.tap.largest).toBeLessThanOrEqual(64 * 1024);
		}
		// The 20 MB vault reached C (once in part, once whole) and B (before and after the removal).
		expect(received).toBeGreaterThan(60_000_000);
	});
});

/** y-webrtc room topics: 'papiers-' and 43 base64url characters (room-credentials.ts). */
function isRoom(topic: string): boolean {
	return /^papiers-[A-Za-z0-9_-]{43}$/.test(topic);
}

/** A y-webrtc publish (signaling in a room) to one of `topics`. */
function publishesTo(signal: Signal, topics: Set<string>): boolean {
	try {
		const message = JSON.parse(signal.text) as { type?: string; topic?: unknown };
		return (
			message.type === 'publish' && typeof message.topic === 'string' && topics.has(message.topic)
		);
	} catch {
		return false;
	}
}

/** How many publishes the Node attacker sent on `topic`, as the relay saw them. */
function attackerPublishes(topic: string): number {
	return signals.filter(
		(signal) =>
			signal.userAgent === ATTACKER_USER_AGENT &&
			signal.text.includes('"publish"') &&
			signal.text.includes(topic)
	).length;
}

function subscribedTopics(filter: (signal: Signal) => boolean): string[] {
	const topics = new Set<string>();
	for (const signal of signals.filter(filter)) {
		try {
			const message = JSON.parse(signal.text) as { type?: string; topics?: unknown };
			if (message.type === 'subscribe' && Array.isArray(message.topics)) {
				for (const topic of message.topics) if (typeof topic === 'string') topics.add(topic);
			}
		} catch {
			// not JSON: nothing subscribed
		}
	}
	return [...topics];
}
