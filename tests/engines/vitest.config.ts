import { defineConfig } from 'vitest/config';

// The cross-engine journey (`npm run test:engines`, and part of `npm test`): one file per engine,
// one engine at a time (2-core machines), one browser per engine for all its steps.
export default defineConfig({
	test: {
		root: '.',
		include: ['tests/engines/*.test.ts'],
		environment: 'node',
		globalSetup: ['tests/engines/global-setup.ts'],
		fileParallelism: false,
		// Bounds, not waits (see ui.ts): a step with several Argon2id runs and photo encodes on a
		// loaded machine in the slowest engine stays well inside this; it only stops a hang.
		testTimeout: 600_000,
		hookTimeout: 180_000
	}
});
