// Sync figures (ISSUE 5), two separate Chromium instances on loopback and the local relay,
// driven through the UI like the e2e (tests/e2e/sync.spec.ts):
//   - a new device receiving a vault of 20 MB of scans: from its Unlock click (after pairing)
//     until every sealed scan is in its IndexedDB;
//   - one edit on A visible on B: from the Save click on A to the new value on B's screen,
//     median of 5, against A's own save (Save click to A's papers page);
//   - peak memory of each browser during that sync: the page's JS heap with its ArrayBuffers
//     (CDP Runtime.getHeapUsage: usedSize + backingStorageSize; Performance.getMetrics'
//     JSHeapUsedSize leaves the buffers out, and the vault is buffers), and the proportional set
//     size (PSS, shared pages split between processes) of the whole browser process tree;
//   - the sync document after 1,000 edits against the live data it holds (real vault and mirror
//     on IndexedDB in Chromium, bench/sync-growth-entry.ts).
// Both devices are launched here as persistent contexts, so their processes can be found by
// profile directory; the shared `browser` serves the growth page.
import { chromium, devices } from '@playwright/test';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelay } from '../scripts/relay.js';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.js';
import { median, ms } from './stats.js';
import { createVaultThroughUi, pageWithBundle } from './wallet.js';

const PASSWORD = 'bench passphrase for sync';
const SCAN_COUNT = 7;
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** PSS (bytes) of the process whose command line holds `marker`, and of its descendants. */
function processTreePss(marker) {
	const parents = new Map();
	const roots = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
			parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
			const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
			if (cmdline.includes(marker) && !cmdline.includes('--type=')) roots.push(Number(name));
		} catch {
			// gone meanwhile
		}
	}
	const tree = new Set(roots);
	for (let grew = true; grew;) {
		grew = false;
		for (const [pid, parent] of parents) {
			if (!tree.has(pid) && tree.has(parent)) {
				tree.add(pid);
				grew = true;
			}
		}
	}
	let total = 0;
	for (const pid of tree) {
		try {
			const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
			if (match) total += Number(match[1]) * 1024;
		} catch {
			// gone meanwhile
		}
	}
	return total;
}

async function launchDevice(name) {
	const profile = mkdtempSync(join(tmpdir(), `papiers-bench-${name}-`));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: chromiumPath,
		args: chromiumArgs,
		...devices['Pixel 7'],
		locale: 'en-US'
	});
	const page = context.pages()[0] ?? (await context.newPage());
	const cdp = await context.newCDPSession(page);
	const memory = { heap: 0, pss: 0 };
	const sample = async () => {
		const usage = await cdp.send('Runtime.getHeapUsage').catch(() => undefined);
		if (usage)
			memory.heap = Math.max(memory.heap, usage.usedSize + (usage.backingStorageSize ?? 0));
		if (existsSync('/proc/self')) memory.pss = Math.max(memory.pss, processTreePss(profile));
	};
	/** Garbage left by setting the vault up (the bench's own pictures) is not the sync's. */
	const collect = () => cdp.send('HeapProfiler.collectGarbage').catch(() => {});
	return {
		name,
		context,
		page,
		memory,
		sample,
		collect,
		close: async () => {
			await context.close();
			rmSync(profile, { recursive: true, force: true });
		}
	};
}

const home = (page) => page.getByRole('heading', { level: 1, name: 'Your papers' });
const row = (page, type) => page.locator(`main a[href="/element/${type}"]`);
const tab = (page, name) =>
	page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();

async function useRelay(page, url) {
	await page.getByLabel('Signaling relays (one per line)').fill(url);
	await page.getByRole('button', { name: 'Save sync settings' }).click();
	await page.getByText('Sync settings saved.').waitFor();
}

function storedScanBytes(page) {
	return page.evaluate(
		() =>
			new Promise((resolve, reject) => {
				const request = indexedDB.open('papiers');
				request.onerror = () => reject(request.error);
				request.onsuccess = () => {
					const db = request.result;
					if (!db.objectStoreNames.contains('scans')) return resolve(0);
					const all = db.transaction('scans').objectStore('scans').getAll();
					all.onsuccess = () => {
						db.close();
						resolve(all.result.reduce((sum, scan) => sum + scan.ct.length, 0));
					};
				};
			})
	);
}

async function noiseJpeg(page) {
	const base64 = await page.evaluate(async () => {
		const canvas = new OffscreenCanvas(2048, 2048);
		const context = canvas.getContext('2d');
		const image = context.createImageData(2048, 2048);
		for (let offset = 0; offset < image.data.length; offset += 65536) {
			crypto.getRandomValues(image.data.subarray(offset, offset + 65536));
		}
		for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
		context.putImageData(image, 0, 0);
		const bytes = new Uint8Array(
			await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.95 })).arrayBuffer()
		);
		let text = '';
		for (let i = 0; i < bytes.length; i += 32768) {
			text += String.fromCharCode(...bytes.subarray(i, i + 32768));
		}
		return btoa(text);
	});
	return Buffer.from(base64, 'base64');
}

/** Save on A, measured on B's screen; both clocks are this machine's. */
async function timedEdit(a, b, value) {
	await tab(a.page, 'Papers');
	await row(a.page, 'email').click();
	await a.page.getByLabel('Email address').fill(value);
	const seen = b.page.evaluate(
		(expected) =>
			new Promise((resolve) => {
				const link = () => document.querySelector('main a[href="/element/email"]');
				const check = () => {
					if (link()?.textContent?.includes(expected)) {
						observer.disconnect();
						resolve(Date.now());
						return true;
					}
					return false;
				};
				const observer = new MutationObserver(check);
				observer.observe(document.body, { childList: true, subtree: true, characterData: true });
				check();
			}),
		value
	);
	const savedLocally = a.page.evaluate(
		() =>
			new Promise((resolve) => {
				const observer = new MutationObserver(() => {
					if (document.querySelector('h1')?.textContent === 'Your papers') {
						observer.disconnect();
						resolve(Date.now());
					}
				});
				observer.observe(document.body, { childList: true, subtree: true, characterData: true });
			})
	);
	const clicked = await a.page.evaluate(() => {
		const save = [...document.querySelectorAll('button')].find(
			(b) => b.textContent?.trim() === 'Save'
		);
		const at = Date.now();
		save.click();
		return at;
	});
	return { remote: (await seen) - clicked, local: (await savedLocally) - clicked };
}

async function growth(browser, walletUrl) {
	const { context, page, cleanup } = await pageWithBundle({
		browser,
		walletUrl,
		entry: 'bench/sync-growth-entry.ts',
		name: 'benchSyncGrowthBundle'
	});
	try {
		const one = await page.evaluate(() => benchSyncGrowth.measure({ edits: 1000, records: 1 }));
		const ten = await page.evaluate(() => benchSyncGrowth.measure({ edits: 1000, records: 10 }));
		await context.close();
		return [one, ten];
	} finally {
		cleanup();
	}
}

export async function run({ browser, walletUrl }) {
	const relay = await startRelay({ port: 0 });
	const a = await launchDevice('a');
	const b = await launchDevice('b');
	try {
		// A: a vault with one email and 20 MB of scans, entered through the editors.
		const { page } = a;
		await createVaultThroughUi(page, walletUrl, PASSWORD);
		await tab(page, 'Settings');
		await useRelay(page, relay.url);
		await tab(page, 'Papers');
		await row(page, 'email').click();
		await page.getByLabel('Email address').fill('bench@example.org');
		await page.getByRole('button', { name: 'Save' }).click();
		await home(page).waitFor();
		await row(page, 'utility_bill').click();
		const files = [];
		for (let i = 0; i < SCAN_COUNT; i++) {
			files.push({ name: `scan-${i}.jpg`, mimeType: 'image/jpeg', buffer: await noiseJpeg(page) });
		}
		const scans = page.getByRole('group', { name: 'Scans' });
		const chooser = page.waitForEvent('filechooser');
		await scans.getByRole('button', { name: /^Choose from gallery/ }).click();
		await (await chooser).setFiles(files);
		await scans
			.getByRole('button', { name: /^View / })
			.nth(SCAN_COUNT - 1)
			.waitFor({ timeout: 60_000 });
		await page.getByRole('button', { name: 'Save' }).click();
		await home(page).waitFor({ timeout: 60_000 });
		const total = await storedScanBytes(page);

		// Pairing B, as a person does it.
		await tab(page, 'Devices');
		await page.getByRole('button', { name: 'Add a device' }).click();
		const link = await page.getByLabel('One-time link').inputValue();
		await b.page.goto(`${walletUrl}/pair`);
		await b.page.getByText('Connection settings').click();
		await useRelay(b.page, relay.url);
		await b.page.goto(link);
		await page.getByTestId('pairing-code').waitFor({ timeout: 30_000 });
		await page.getByRole('button', { name: 'The codes match' }).click();
		await b.page.getByLabel('Password', { exact: true }).fill(PASSWORD);

		// The initial sync, with memory sampled on both sides all along.
		await Promise.all([a.collect(), b.collect()]);
		await Promise.all([a.sample(), b.sample()]);
		let sampling = true;
		const sampler = (async () => {
			while (sampling) {
				await Promise.all([a.sample(), b.sample()]);
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
		})();
		const clicked = Date.now();
		await b.page.getByRole('button', { name: 'Unlock' }).click();
		await home(b.page).waitFor({ timeout: 30_000 });
		const unlocked = Date.now();
		let stored = 0;
		while (stored < total && Date.now() - clicked < 120_000) {
			stored = await storedScanBytes(b.page);
			if (stored < total) await new Promise((resolve) => setTimeout(resolve, 50));
		}
		const initialSync = Date.now() - clicked;
		sampling = false;
		await sampler;
		if (stored < total) throw new Error(`B holds ${stored} of ${total} bytes after 120 s`);

		// One edit, five times.
		await row(b.page, 'email').waitFor();
		const edits = [];
		for (let i = 0; i < 5; i++) edits.push(await timedEdit(a, b, `edit-${i}@example.org`));

		const [one, ten] = await growth(browser, walletUrl);
		const ratio = (m) =>
			`${(m.docBytes / m.liveBytes).toFixed(2)}× live (v1), ${(m.docBytesV2 / m.liveBytes).toFixed(2)}× (v2, stored)`;
		return [
			{
				figure: 'sync: 20 MB vault to a new device',
				value: ms(initialSync),
				anchor: `${mib(total)} of sealed scans; unlock took ${ms(unlocked - clicked)} of it; target ≤ 5 s`
			},
			{
				figure: 'sync: one edit on A visible on B',
				value: ms(median(edits.map((edit) => edit.remote))),
				anchor: `median of 5; A's own save ${ms(median(edits.map((edit) => edit.local)))}; target ≤ 200 ms`
			},
			{
				figure: 'sync: peak memory of A (sending)',
				value: `${mib(a.memory.pss)} PSS`,
				anchor: `whole browser; page JS heap with buffers ${mib(a.memory.heap)}`
			},
			{
				figure: 'sync: peak memory of B (receiving)',
				value: `${mib(b.memory.pss)} PSS`,
				anchor: `whole browser; page JS heap with buffers ${mib(b.memory.heap)}`
			},
			{
				figure: 'growth: Y.Doc after 1,000 edits of 1 record',
				value: ratio(one),
				anchor: `${one.docBytes} B document (${one.docBytesV2} B in Yjs's v2 encoding), ${one.liveBytes} B live, ${one.storedBytes} B stored; target ≤ 1.5×`
			},
			{
				figure: 'growth: Y.Doc after 1,000 edits over 10 records',
				value: ratio(ten),
				anchor: `${ten.docBytes} B document (${ten.docBytesV2} B in v2), ${ten.liveBytes} B live, ${ten.storedBytes} B stored, ${((ten.docBytes - ten.liveBytes) / 1000).toFixed(1)} B of history per edit; target ≤ 1.5×`
			}
		];
	} finally {
		await a.close();
		await b.close();
		await relay.close();
	}
}
