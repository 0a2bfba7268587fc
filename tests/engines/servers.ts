/**
 * The servers the journey talks to, on ports of their own derived from E2E_PORT_BASE (as
 * playwright.config.ts does), so this suite can run beside the Playwright one and beside other
 * checkouts. The wallet runs in this process (scripts/serve.js) because the offline step stops and
 * restarts it; the example service is started once for all engines (global-setup.ts).
 */

import type { Server } from 'node:http';
import { startStaticServer } from '../../scripts/serve.js';

const portBase = Number(process.env.E2E_PORT_BASE ?? 4173);
export const WALLET_PORT = portBase + 40;
/** The example service itself, plain http, reached only through its HTTPS front (below). */
export const EXAMPLE_HTTP_PORT = portBase + 41;
export const WEBKIT_DRIVER_PORT = portBase + 42;
export const EXAMPLE_PORT = portBase + 43;
export const WALLET_URL = `http://localhost:${WALLET_PORT}`;
/**
 * HTTPS, as a deployed service is: its session cookie is Secure (SameSite=None, so that it comes
 * back with the wallet's cross-site POST), and WebKitGTK drops Secure cookies from plain http even
 * on localhost (Chromium and Gecko keep them), which made every WebKit delivery SESSION_MISSING.
 */
export const EXAMPLE_URL = `https://127.0.0.1:${EXAMPLE_PORT}`;
export const EXAMPLE_ORIGIN = new URL(EXAMPLE_URL).origin;

/** The wallet's static server, which the offline step takes down to leave only the worker. */
export class WalletServer {
	#server: Server | undefined;

	async start() {
		if (!this.#server) this.#server = await startStaticServer({ root: 'build', port: WALLET_PORT });
	}

	async stop() {
		const server = this.#server;
		this.#server = undefined;
		if (!server) return;
		const closed = new Promise((resolve) => server.close(resolve));
		server.closeAllConnections();
		await closed;
	}
}
