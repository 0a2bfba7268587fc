import { defineConfig, devices } from '@playwright/test';
import { existsSync } from 'node:fs';
import { chromiumArgs, chromiumPath } from './scripts/chromium.js';

// Ports kept apart from `npm start` (5173/5174/4444) so tests can run beside a running app;
// E2E_PORT_BASE moves them all, so two checkouts can run their suites side by side.
const portBase = Number(process.env.E2E_PORT_BASE ?? 4173);
export const WALLET_PORT = portBase;
export const EXAMPLE_PORT = portBase + 1;
export const RELAY_PORT = portBase + 272; // 4445 by default
export const WALLET_URL = `http://localhost:${WALLET_PORT}`;
export const EXAMPLE_URL = `http://localhost:${EXAMPLE_PORT}`;
export const RELAY_URL = `ws://127.0.0.1:${RELAY_PORT}`;

export { chromiumArgs };

const webServers: {
	command: string;
	url: string;
	env: Record<string, string>;
	reuseExistingServer: boolean;
}[] = [
	{
		command: 'node scripts/serve.js',
		url: WALLET_URL,
		env: { PORT: String(WALLET_PORT) },
		reuseExistingServer: false
	}
];
if (existsSync('scripts/relay.js')) {
	webServers.push({
		command: 'node scripts/relay.js',
		url: `http://127.0.0.1:${RELAY_PORT}`,
		env: { PORT: String(RELAY_PORT) },
		reuseExistingServer: false
	});
}
if (existsSync('example/server.js')) {
	webServers.push({
		command: 'node example/server.js',
		url: EXAMPLE_URL,
		env: {
			PORT: String(EXAMPLE_PORT),
			WALLET_URL,
			DATA_DIR: 'test-reports/example-data'
		},
		reuseExistingServer: false
	});
}

export default defineConfig({
	testDir: 'tests/e2e',
	fullyParallel: false,
	workers: 1,
	retries: 0,
	// Bounds, not waits: every expect waits for its condition and returns as soon as it holds.
	// With four times more runnable work than cores (CI under load), a cold first load of the app
	// took over 10 s to reach /setup and a vault creation (Argon2id, 64 MiB) more than 15 s, so
	// the bounds are several times what an idle machine needs. A test that needs more says so.
	timeout: 180_000,
	expect: { timeout: 45_000 },
	reporter: [['list'], ['json', { outputFile: 'test-reports/playwright.json' }]],
	use: {
		baseURL: WALLET_URL,
		...devices['Pixel 7'],
		browserName: 'chromium',
		locale: 'en-US',
		trace: 'retain-on-failure',
		launchOptions: { executablePath: chromiumPath, args: chromiumArgs }
	},
	webServer: webServers
});
