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
				'form-action': ['http:', 'https:'],
				'base-uri': ['self'],
				'object-src': ['none']
			}
		}
	}
};

export default config;
