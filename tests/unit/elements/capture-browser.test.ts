/**
 * The capture pipeline in a real Chromium: src/lib/capture bundled by Vite (worker included, as the
 * app bundles it), served from 127.0.0.1, fed the GPS-tagged fixtures. Asserts what ends up stored:
 * a JPEG with no EXIF, GPS or XMP, no longer than 2048 px, upright, colours intact, through both
 * the worker path and the main-thread fallback.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isJpeg, jpegHasExif, jpegHasXmp, readJpegSize } from '$lib/capture/jpeg';
import { FIXTURE_CAMERA } from '../../fixtures/make-fixtures.js';

const root = resolve(import.meta.dirname, '../../..');
const scansDir = join(root, 'tests/fixtures/scans');
const chromiumPath =
	process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

type Rgb = [number, number, number];
interface PageResult {
	ok: boolean;
	code?: string;
	base64?: string;
	width?: number;
	height?: number;
	corners?: { topLeft: Rgb; topRight: Rgb; bottomLeft: Rgb; bottomRight: Rgb };
}

const HARNESS = (captureModule: string) => `
import { captureScan } from ${JSON.stringify(captureModule)};

async function corners(bytes) {
	const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
	const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
	const context = canvas.getContext('2d');
	context.drawImage(bitmap, 0, 0);
	const at = (x, y) =>
		Array.from(context.getImageData(Math.floor(x * bitmap.width), Math.floor(y * bitmap.height), 1, 1).data.slice(0, 3));
	return { topLeft: at(0.2, 0.2), topRight: at(0.8, 0.2), bottomLeft: at(0.2, 0.8), bottomRight: at(0.8, 0.8) };
}

window.runCapture = async (base64, type, useWorker) => {
	const input = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
	try {
		const scan = await captureScan(new Blob([input], { type }), { useWorker });
		let binary = '';
		for (const byte of scan.bytes) binary += String.fromCharCode(byte);
		return { ok: true, base64: btoa(binary), width: scan.width, height: scan.height, corners: await corners(scan.bytes) };
	} catch (error) {
		return { ok: false, code: error.code ?? String(error) };
	}
};
`;

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

let workDir: string;
let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
	if (!chromiumPath) {
		throw new Error(
			'Chromium not found: install it (apt-get install chromium) or set CHROMIUM_PATH'
		);
	}
	workDir = mkdtempSync(join(tmpdir(), 'papiers-capture-'));
	const captureModule = relative(workDir, join(root, 'src/lib/capture/capture.ts'));
	writeFileSync(
		join(workDir, 'main.js'),
		HARNESS(captureModule.startsWith('.') ? captureModule : `./${captureModule}`)
	);
	writeFileSync(
		join(workDir, 'index.html'),
		'<!doctype html><script type="module" src="./main.js"></script>'
	);
	await build({
		configFile: false,
		root: workDir,
		logLevel: 'silent',
		build: { outDir: join(workDir, 'dist'), emptyOutDir: true, minify: false },
		worker: { format: 'es' }
	});

	const dist = join(workDir, 'dist');
	server = createServer((request, response) => {
		const path = join(
			dist,
			new URL(request.url ?? '/', 'http://x').pathname.replace(/\/$/, '/index.html')
		);
		if (!path.startsWith(dist) || !existsSync(path)) return void response.writeHead(404).end();
		response.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'application/octet-stream' });
		response.end(readFileSync(path));
	});
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const { port } = server.address() as { port: number };

	browser = await chromium.launch({
		executablePath: chromiumPath,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-dev-shm-usage'
		]
	});
	page = await browser.newPage();
	await page.goto(`http://127.0.0.1:${port}/`);
	await page.waitForFunction(() => 'runCapture' in window);
}, 120_000);

afterAll(async () => {
	await browser?.close();
	await new Promise((done) => (server ? server.close(done) : done(undefined)));
	if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function capture(bytes: Uint8Array, { useWorker = true, type = 'image/jpeg' } = {}) {
	const base64 = Buffer.from(bytes).toString('base64');
	return page.evaluate(
		([base64, type, useWorker]) =>
			(window as unknown as { runCapture: (...args: unknown[]) => Promise<PageResult> }).runCapture(
				base64,
				type,
				useWorker
			),
		[base64, type, useWorker] as const
	);
}

const fixture = (name: string) => new Uint8Array(readFileSync(join(scansDir, name)));
const decode = (result: PageResult) => new Uint8Array(Buffer.from(result.base64!, 'base64'));

/** Each channel within `tolerance` of the colour drawn (JPEG re-encoding shifts a few levels). */
function expectColour(actual: Rgb, expected: Rgb, tolerance = 24) {
	for (let channel = 0; channel < 3; channel++) {
		expect(Math.abs(actual[channel] - expected[channel]), `${actual} vs ${expected}`).toBeLessThan(
			tolerance
		);
	}
}
const RED: Rgb = [215, 35, 35];
const GREEN: Rgb = [40, 175, 55];
const BLUE: Rgb = [35, 65, 205];
const YELLOW: Rgb = [235, 205, 35];

describe.each([
	{ path: 'worker', useWorker: true },
	{ path: 'main thread', useWorker: false }
])('captureScan through the $path', ({ useWorker }) => {
	it('downscales a 3000x2000 photo to 2048x1365 and drops EXIF and GPS', async () => {
		const input = fixture('gps-large-3000x2000.jpg');
		expect(jpegHasExif(input)).toBe(true);
		const result = await capture(input, { useWorker });
		expect(result.ok, result.code).toBe(true);
		const stored = decode(result);
		expect(isJpeg(stored)).toBe(true);
		expect(jpegHasExif(stored)).toBe(false);
		expect(jpegHasXmp(stored)).toBe(false);
		expect(Buffer.from(stored).includes(FIXTURE_CAMERA)).toBe(false);
		expect(readJpegSize(stored)).toEqual({ width: 2048, height: 1365 });
		expect({ width: result.width, height: result.height }).toEqual({ width: 2048, height: 1365 });
		expectColour(result.corners!.topLeft, RED);
		expectColour(result.corners!.topRight, GREEN);
		expectColour(result.corners!.bottomLeft, BLUE);
		expectColour(result.corners!.bottomRight, YELLOW);
	});

	it('keeps a small photo at its size, drops EXIF and XMP', async () => {
		const input = fixture('gps-small-640x480.jpg');
		expect(jpegHasXmp(input)).toBe(true);
		const result = await capture(input, { useWorker });
		expect(result.ok, result.code).toBe(true);
		const stored = decode(result);
		expect(jpegHasExif(stored)).toBe(false);
		expect(jpegHasXmp(stored)).toBe(false);
		expect(readJpegSize(stored)).toEqual({ width: 640, height: 480 });
	});

	it('turns a photo upright by its EXIF orientation before dropping the EXIF', async () => {
		const result = await capture(fixture('gps-rotated-1200x800-orientation6.jpg'), { useWorker });
		expect(result.ok, result.code).toBe(true);
		const stored = decode(result);
		expect(jpegHasExif(stored)).toBe(false);
		// Stored landscape 1200x800 with orientation 6: upright it is portrait, red at the top right.
		expect(readJpegSize(stored)).toEqual({ width: 800, height: 1200 });
		expectColour(result.corners!.topRight, RED);
		expectColour(result.corners!.topLeft, BLUE);
		expectColour(result.corners!.bottomRight, GREEN);
	});

	it('refuses a file that is not an image, and an empty one', async () => {
		const text = new TextEncoder().encode('not a picture at all');
		expect(await capture(text, { useWorker, type: 'image/jpeg' })).toEqual({
			ok: false,
			code: 'not_an_image'
		});
		expect(await capture(new Uint8Array(0), { useWorker })).toEqual({
			ok: false,
			code: 'empty_file'
		});
	});
});

describe('the worker path', () => {
	it('really runs in a worker', async () => {
		// The describe.each above has already sent scans through the worker path.
		expect(page.workers().length).toBe(1);
		expect(page.workers()[0].url()).toMatch(/scan\.worker.*\.js$/);
	});
});
