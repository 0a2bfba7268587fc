/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Precaches the whole build so every route, deep links included, opens with no network.
 * A new version waits until the page asks it to take over (the "Reload" prompt).
 */
import { build, files, version } from '$service-worker';

const worker = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `papiers-${version}`;
// The adapter's fallback shell is not in kit's lists (STACK.md): add it ourselves.
const SHELL = '/index.html';
// The OCR engine and its model (some megabytes, issue 13) are not precached: most people never
// read an MRZ from a photo. They are cached on first use instead, in a cache of their own that
// survives app updates (its folder name carries the engine's versions).
const OCR_PREFIX = '/ocr/';
const OCR_CACHE = 'papiers-ocr';
const PRECACHE = Array.from(
	new Set([...build, ...files.filter((file) => !file.startsWith(OCR_PREFIX)), '/', SHELL])
);

worker.addEventListener('install', (event) => {
	event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)));
});

worker.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) {
				if (key !== CACHE && key !== OCR_CACHE) await caches.delete(key);
			}
			await worker.clients.claim();
		})()
	);
});

worker.addEventListener('message', (event) => {
	if (event.data?.type === 'SKIP_WAITING') void worker.skipWaiting();
});

worker.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== worker.location.origin) return;

	if (url.pathname.startsWith(OCR_PREFIX)) {
		event.respondWith(ocrAsset(request, url));
		return;
	}

	if (request.mode === 'navigate') {
		// Every page is the same SPA shell; serve it from the cache so the app opens offline.
		event.respondWith(
			(async () => {
				const cache = await caches.open(CACHE);
				const cached = await cache.match(SHELL);
				if (cached) return cached;
				return fetch(request);
			})()
		);
		return;
	}

	event.respondWith(
		(async () => {
			const cache = await caches.open(CACHE);
			const cached = await cache.match(url.pathname);
			if (cached) return cached;
			return fetch(request);
		})()
	);
});

/** Cache first; on a miss, fetch, keep a copy, and drop the files of other engine versions. */
async function ocrAsset(request: Request, url: URL): Promise<Response> {
	const cache = await caches.open(OCR_CACHE);
	const cached = await cache.match(url.pathname);
	if (cached) return cached;
	const response = await fetch(request);
	if (response.ok) {
		const folder = url.pathname.split('/').slice(0, 3).join('/') + '/';
		for (const old of await cache.keys()) {
			if (!new URL(old.url).pathname.startsWith(folder)) await cache.delete(old);
		}
		await cache.put(url.pathname, response.clone());
	}
	return response;
}
