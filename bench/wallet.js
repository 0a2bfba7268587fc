// What several benches do in the wallet before they measure: create a vault through the UI,
// and make photo-like JPEGs in the page (gradient, text, sensor-like grain: they compress like
// camera pictures, a few MB at 12 MP), and load a bundle of the app's own modules into a page.

import { buildBundle } from './bundle.js';
export async function createVaultThroughUi(page, walletUrl, password) {
	await page.goto(`${walletUrl}/setup`);
	await page.getByLabel('Password', { exact: true }).fill(password);
	await page.getByLabel('Confirm password', { exact: true }).fill(password);
	await page.getByRole('checkbox').check();
	await page.getByRole('button', { name: 'Create vault' }).click();
	await page.getByRole('heading', { name: 'Your papers' }).waitFor({ timeout: 30_000 });
}

/** A JPEG of width × height made in the page; `seed` varies text and grain between photos. */
export async function photoLikeJpeg(page, { width, height, seed = 1, grain = 24 }) {
	const base64 = await page.evaluate(
		async ({ width, height, seed, grain }) => {
			const canvas = new OffscreenCanvas(width, height);
			const context = canvas.getContext('2d');
			const gradient = context.createLinearGradient(0, 0, width, height);
			gradient.addColorStop(0, '#d8c7a0');
			gradient.addColorStop(1, '#6d8fb3');
			context.fillStyle = gradient;
			context.fillRect(0, 0, width, height);
			context.fillStyle = '#1b1b1b';
			context.font = `${Math.round(width / 60)}px serif`;
			for (let line = 0; line * 70 + 150 < height; line++) {
				const text = `PAPIERS ${seed} ${line} ${'<'.repeat(line % 30)} 0123456789 ABCDEF`;
				context.fillText(text, width / 20, 150 + line * 70);
			}
			const pixels = context.getImageData(0, 0, width, height);
			let state = seed;
			for (let i = 0; i < pixels.data.length; i += 4) {
				state = (state * 1103515245 + 12345) & 0x7fffffff;
				const noise = (state % grain) - grain / 2;
				pixels.data[i] += noise;
				pixels.data[i + 1] += noise;
				pixels.data[i + 2] += noise;
			}
			context.putImageData(pixels, 0, 0);
			const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
			const bytes = new Uint8Array(await blob.arrayBuffer());
			let binary = '';
			for (let i = 0; i < bytes.length; i += 0x8000) {
				binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
			}
			return btoa(binary);
		},
		{ width, height, seed, grain }
	);
	return Buffer.from(base64, 'base64');
}

/**
 * Bundles a bench entry (real `$lib` code) as one script and loads it into a fresh page of the
 * wallet's origin, so a bench measures the app's own modules on the app's IndexedDB. The caller
 * closes the page's context; `cleanup` removes the bundle.
 */
export async function pageWithBundle({ browser, walletUrl, entry, name }) {
	const bundle = await buildBundle({ entry, name });
	try {
		const context = await browser.newContext({ bypassCSP: true });
		const page = await context.newPage();
		await page.goto(`${walletUrl}/setup`);
		await page.addScriptTag({ path: bundle.path });
		return { context, page, cleanup: bundle.cleanup };
	} catch (error) {
		bundle.cleanup();
		throw error;
	}
}
