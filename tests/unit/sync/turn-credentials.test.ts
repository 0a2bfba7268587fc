/**
 * The wallet's side of TURN credentials: where it asks (the relay's own origin), what it keeps
 * of the answer (TURN servers only, as Settings would accept them), and that a relay that is
 * down, slow or hostile never stops sync from starting with the servers typed in Settings.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../../../scripts/relay.js';
import {
	turnCredentialsUrl,
	turnServersFromAnswer,
	withRelayTurnServers
} from '../../../src/lib/sync/turn-credentials';

const SECRET = 'a shared secret only coturn and the relay know';
const manual: RTCIceServer[] = [
	{ urls: 'turn:turn.example.org:3478', username: 'typed', credential: 'by hand' }
];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const close of closers.splice(0)) await close();
});

/** An HTTP server that answers every request with `handler`. */
async function fakeRelay(handler: http.RequestListener): Promise<string> {
	const server = http.createServer(handler);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	closers.push(
		() =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	);
	return `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('TURN credentials from the relay', () => {
	it("are asked of each relay's own origin", () => {
		expect(turnCredentialsUrl('ws://localhost:4444')).toBe(
			'http://localhost:4444/turn-credentials'
		);
		expect(turnCredentialsUrl('wss://wallet.example/relay')).toBe(
			'https://wallet.example/relay/turn-credentials'
		);
		expect(turnCredentialsUrl('wss://wallet.example/relay/?x=1')).toBe(
			'https://wallet.example/relay/turn-credentials'
		);
		expect(turnCredentialsUrl('https://wallet.example')).toBeUndefined();
		expect(turnCredentialsUrl('not a url')).toBeUndefined();
	});

	it('come after the servers typed in Settings, from a real relay', async () => {
		const relay: RunningRelay = await startRelay({
			port: 0,
			turn: { secret: SECRET, urls: ['turn:127.0.0.1:3478?transport=udp'], ttlSeconds: 60 }
		});
		closers.push(() => relay.close());
		const servers = await withRelayTurnServers(manual, [relay.url]);
		expect(servers).toHaveLength(2);
		expect(servers[0]).toEqual(manual[0]);
		expect(servers[1].urls).toEqual(['turn:127.0.0.1:3478?transport=udp']);
		expect(servers[1].username).toMatch(/^\d+:[\w-]+$/);
		expect(servers[1].credential).toMatch(/^[A-Za-z0-9+/]{27}=$/);
	});

	it('add nothing when the relay has no TURN, is down, errs or is too slow', async () => {
		const plain = await startRelay({ port: 0 });
		closers.push(() => plain.close());
		const failing = await fakeRelay((_request, response) => {
			response.writeHead(500);
			response.end('{"iceServers":[]}');
		});
		// Never answers: the wallet gives up after its timeout (a small one here).
		const silent = await fakeRelay(() => {});
		const started = Date.now();
		const servers = await withRelayTurnServers(
			manual,
			[plain.url, failing, silent, 'ws://127.0.0.1:9'],
			{ timeoutMs: 300 }
		);
		expect(servers).toEqual(manual);
		expect(Date.now() - started).toBeLessThan(30_000); // bounded by the timeout, not hung
	});

	it('keep only TURN servers a person could have typed, whatever a hostile relay answers', async () => {
		const good = {
			urls: ['turns:turn.example.org:5349?transport=tcp'],
			username: 'u',
			credential: 'c'
		};
		const hostile = await fakeRelay((_request, response) => {
			response.writeHead(200, { 'Content-Type': 'application/json' });
			response.end(
				JSON.stringify({
					iceServers: [
						// A public STUN server: would tell a third party the device's address.
						{ urls: 'stun:stun.example.net:3478', username: 'u', credential: 'c' },
						{ urls: ['https://relay.example/'], username: 'u', credential: 'c' },
						{ urls: 'turn:turn.example.org', username: '', credential: 'c' },
						{ urls: 'turn:turn.example.org', username: 'u' },
						{ urls: 'turn:turn.example.org', username: 'u'.repeat(10_000), credential: 'c' },
						{ urls: 'turn:bad host', username: 'u', credential: 'c' },
						{ urls: 42, username: 'u', credential: 'c' },
						null,
						good
					]
				})
			);
		});
		expect(await withRelayTurnServers([], [hostile])).toEqual([good]);
		expect(turnServersFromAnswer('nonsense')).toEqual([]);
		expect(turnServersFromAnswer({ iceServers: 'turn:x' })).toEqual([]);
		// No more than a few servers from one relay, however many it lists.
		expect(turnServersFromAnswer({ iceServers: Array(100).fill(good) })).toHaveLength(4);
	});
});
