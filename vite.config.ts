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
		// A bound, not a wait: with four times more runnable work than cores, tests well under 5 s
		// idle came close to Vitest's 5 s default (fragment.test's 20 MB round trip 4.4 s,
		// fragmenting-peers' buffer test 4.8 s beside stress-ng) or passed it (pairing, 5.3 s).
		testTimeout: 60_000,
		pool: 'threads',
		maxWorkers: 2
	}
});
