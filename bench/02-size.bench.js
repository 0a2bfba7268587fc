// First-load JavaScript of a page, gzip: every script the page fetches on a first visit with an
// empty cache, compressed with gzip -9 (what a static host would send). The service worker
// script is counted apart: it loads after the page, off the critical path.
import { gzipSync } from 'node:zlib';
import { kib } from './stats.js';

async function firstLoadJs(browser, url) {
	const context = await browser.newContext({ serviceWorkers: 'block' });
	const page = await context.newPage();
	const bodies = new Map();
	page.on('response', async (response) => {
		const type = response.headers()['content-type'] ?? '';
		if (type.includes('javascript')) {
			try {
				bodies.set(response.url(), await response.body());
			} catch {
				/* a response that closed with the page */
			}
		}
	});
	await page.goto(url, { waitUntil: 'networkidle' });
	await context.close();
	let gzip = 0;
	let raw = 0;
	for (const body of bodies.values()) {
		raw += body.length;
		gzip += gzipSync(body, { level: 9 }).length;
	}
	return { gzip, raw, files: bodies.size };
}

export async function run({ browser, walletUrl }) {
	const rows = [];
	for (const [path, target] of [
		['/', 80],
		['/authorize', undefined]
	]) {
		const { gzip, raw, files } = await firstLoadJs(browser, `${walletUrl}${path}`);
		rows.push({
			figure: `first-load JS of ${path} (gzip)`,
			value: kib(gzip),
			anchor: `${files} files, ${kib(raw)} uncompressed${target ? `; target ≤ ${target} KiB` : ''}`
		});
	}
	return rows;
}
