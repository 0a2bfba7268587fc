import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A static SPA: every route is rendered on the device, `index.html` is the fallback shell.
		adapter: adapter({ fallback: 'index.html', precompress: false }),
		serviceWorker: { register: false },
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self', 'wasm-unsafe-eval'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'blob:', 'data:'],
				'connect-src': ['self', 'ws:', 'wss:', 'http:', 'https:'],
				'worker-src': ['self'],
				// The consent form POSTs to the service's callback: any https host, or http on
				// loopback (checked in callback-url.ts before each POST). Not narrowed to
				// http://localhost:* and http://127.0.0.1:* here: Chromium ignores an IPv6 source
				// (http://[::1]:*) as invalid, which would block callbacks on [::1].
				// scripts/serve.js sends this policy as a header too, with frame-ancestors 'none'.
				'form-action': ['http:', 'https:'],
				'base-uri': ['self'],
				'object-src': ['none']
			}
		}
	}
};

export default config;
