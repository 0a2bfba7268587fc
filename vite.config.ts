import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vitest/config';
import { copyOcrAssets, ocrDirectory } from './scripts/ocr-assets.js';

// Unit tests cover pure modules; the message compiler's file watcher would keep Vitest alive.
const underVitest = Boolean(process.env.VITEST);

// The OCR engine's files go into static/ before SvelteKit lists the static files (issue 13).
const ocrDir = underVitest ? ocrDirectory() : copyOcrAssets();

export default defineConfig({
	plugins: [
		...(underVitest
			? []
			: [
					paraglideVitePlugin({
						project: './project.inlang',
						outdir: './src/lib/paraglide',
						// The wallet picks its language on the device: a saved choice, else the browser's.
						strategy: ['localStorage', 'preferredLanguage', 'baseLocale']
					})
				]),
		sveltekit()
	],
	worker: { format: 'es' },
	// Where the MRZ worker loads the engine from; the service worker caches it on first use.
	define: { __PAPIERS_OCR_DIR__: JSON.stringify(ocrDir) },
	test: {
		include: ['tests/unit/**/*.test.ts'],
		environment: 'node',
		pool: 'threads',
		maxWorkers: 2,
		// Vitest's 5 s default is a clock, not a condition: on a 2-core CI machine with four times
		// more runnable work than cores, honest tests took 5–8 s (Argon2id, RSA key generation,
		// 1,000 Yjs edits, pairing 5.3 s, a 20 MB fragment round trip). Tests wait for
		// conditions; this only bounds a real hang.
		testTimeout: 120_000,
		hookTimeout: 120_000
	}
});
