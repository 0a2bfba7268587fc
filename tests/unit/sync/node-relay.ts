/**
 * The real relay (scripts/relay.js) on a free loopback port, and relay clients that reach it
 * with the `ws` package, for Node tests of pairing and handover. Every message a client sends
 * is tapped, so tests can check what the relay saw.
 */
import { createRequire } from 'node:module';
import { startRelay, type RunningRelay } from '../../../scripts/relay.js';
import { RelayClient, type RelaySocket } from '$lib/sync/relay-client';

const { WebSocket } = createRequire(import.meta.url)('ws') as {
	WebSocket: new (url: string) => RelaySocket;
};

export interface TestRelay {
	relay: RunningRelay;
	seen: string[];
	client(): RelayClient;
	restart(): Promise<void>;
	close(): Promise<void>;
}

export async function testRelay(): Promise<TestRelay> {
	const seen: string[] = [];
	const clients: RelayClient[] = [];
	const onMessage = (text: string) => seen.push(text);
	let relay = await startRelay({ port: 0, onMessage });
	const port = relay.port;
	const url = relay.url;
	return {
		get relay() {
			return relay;
		},
		seen,
		client() {
			const client = new RelayClient({ urls: [url], createSocket: (u) => new WebSocket(u) });
			clients.push(client);
			return client;
		},
		async restart() {
			await relay.close();
			relay = await startRelay({ port, onMessage });
		},
		async close() {
			for (const client of clients) client.close();
			await relay.close();
		}
	};
}

/**
 * Polls until `probe` gives a value. The bound only turns a hang into a readable failure: it is
 * far above what any step takes on a loaded machine (relay round trips and X25519 took up to
 * 5 s with four times more runnable work than cores), and below the tests' own limits.
 */
export async function until<T>(probe: () => T, timeoutMs = 60_000): Promise<NonNullable<T>> {
	const started = Date.now();
	for (;;) {
		const value = probe();
		if (value) return value as NonNullable<T>;
		if (Date.now() - started > timeoutMs) throw new Error('Timed out waiting');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
