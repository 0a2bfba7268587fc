import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vitest/config';

// Unit tests cover pure modules; the message compiler's file watcher would keep Vitest alive.
const underVitest = Boolean(process.env.VITEST);

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
	test: {
		include: ['tests/unit/**/*.test.ts'],
		environment: 'node',
		pool: 'threads',
		maxWorkers: 2
	}
});
