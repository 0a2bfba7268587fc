import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../../../scripts/relay.js';

/** The part of ws's client the tests use (ws ships no types and @types/ws is not installed). */
interface WebSocket {
	send(data: string): void;
	terminate(): void;
	on(event: 'message', listener: (data: { toString(): string }) => void): void;
	once(event: 'open' | 'error' | 'close', listener: (value?: unknown) => void): void;
}
const { WebSocket } = createRequire(import.meta.url)('ws') as {
	WebSocket: new (url: string) => WebSocket;
};

const running: RunningRelay[] = [];
const clients: WebSocket[] = [];
afterEach(async () => {
	for (const client of clients.splice(0)) client.terminate();
	for (const relay of running.splice(0)) await relay.close();
});

async function relay(options: Parameters<typeof startRelay>[0] = {}): Promise<RunningRelay> {
	const started = await startRelay({ port: 0, ...options });
	running.push(started);
	return started;
}

/** A client that queues what it receives, so a test can await the next message. */
async function connect(url: string) {
	const socket = new WebSocket(url);
	clients.push(socket);
	const inbox: unknown[] = [];
	const waiters: ((message: unknown) => void)[] = [];
	socket.on('message', (data) => {
		const message = JSON.parse(data.toString());
		const waiter = waiters.shift();
		if (waiter) waiter(message);
		else inbox.push(message);
	});
	await new Promise((resolve, reject) => {
		socket.once('open', resolve);
		socket.once('error', reject);
	});
	return {
		send: (message: unknown) => socket.send(JSON.stringify(message)),
		next: () =>
			inbox.length
				? Promise.resolve(inbox.shift())
				: new Promise<unknown>((resolve) => waiters.push(resolve)),
		pending: () => inbox.length
	};
}

describe('signaling relay', () => {
	it('binds 127.0.0.1 unless told otherwise', async () => {
		const started = await relay();
		expect(started.host).toBe('127.0.0.1');
		expect(started.url).toBe(`ws://127.0.0.1:${started.port}`);
		const response = await fetch(`http://127.0.0.1:${started.port}/`);
		expect(await response.text()).toBe('okay');
	});

	it('relays a publish to every subscriber of the topic, and only to them', async () => {
		const started = await relay();
		const alice = await connect(started.url);
		const bob = await connect(started.url);
		const stranger = await connect(started.url);
		alice.send({ type: 'subscribe', topics: ['room-1'] });
		bob.send({ type: 'subscribe', topics: ['room-1'] });
		stranger.send({ type: 'subscribe', topics: ['room-2'] });
		// A ping round trip orders our subscribe before the publish below.
		for (const client of [alice, bob, stranger]) {
			client.send({ type: 'ping' });
			expect(await client.next()).toEqual({ type: 'pong' });
		}
		alice.send({ type: 'publish', topic: 'room-1', data: 'sealed-offer' });
		expect(await bob.next()).toEqual({
			type: 'publish',
			topic: 'room-1',
			data: 'sealed-offer',
			clients: 2
		});
		expect(await alice.next()).toMatchObject({ data: 'sealed-offer' });
		stranger.send({ type: 'ping' });
		expect(await stranger.next()).toEqual({ type: 'pong' });

		bob.send({ type: 'unsubscribe', topics: ['room-1'] });
		bob.send({ type: 'ping' });
		expect(await bob.next()).toEqual({ type: 'pong' });
		alice.send({ type: 'publish', topic: 'room-1', data: 'second' });
		expect(await alice.next()).toMatchObject({ data: 'second', clients: 1 });
		bob.send({ type: 'ping' });
		expect(await bob.next()).toEqual({ type: 'pong' });
	});

	it('survives malformed messages', async () => {
		const started = await relay();
		const client = await connect(started.url);
		const socket = clients.at(-1)!;
		socket.send('not json');
		socket.send('null');
		client.send({ type: 'subscribe', topics: 'not-a-list' });
		client.send({ type: 'publish', topic: 42 });
		client.send({ type: 'ping' });
		expect(await client.next()).toEqual({ type: 'pong' });
	});

	it('taps every message to a callback and to a file', async () => {
		const directory = mkdtempSync(join(tmpdir(), 'relay-tap-'));
		const tapFile = join(directory, 'tap.log');
		const seen: string[] = [];
		const started = await relay({ tapFile, onMessage: (text) => seen.push(text) });
		const client = await connect(started.url);
		client.send({ type: 'subscribe', topics: ['t'] });
		client.send({ type: 'publish', topic: 't', data: 'MARKER-123' });
		await client.next();
		expect(seen.some((text) => text.includes('MARKER-123'))).toBe(true);
		const lines = readFileSync(tapFile, 'utf8').trim().split('\n');
		expect(lines).toHaveLength(2);
		expect(JSON.parse(lines[1])).toEqual({ type: 'publish', topic: 't', data: 'MARKER-123' });
	});
});

describe('signaling relay limits given in code', () => {
	it('apply as the environment variables do, and the queue is empty at rest', async () => {
		const started = await relay({ limits: { maxTopicsPerConnection: 1 } });
		expect(started.limits.maxTopicsPerConnection).toBe(1);
		expect(started.limits.maxQueuedBytes).toBe(1024 * 1024); // the default, untouched
		const client = await connect(started.url);
		const socket = clients.at(-1)!;
		const closed = new Promise<unknown>((resolve) => socket.once('close', resolve));
		client.send({ type: 'subscribe', topics: ['one'] });
		client.send({ type: 'ping' });
		expect(await client.next()).toEqual({ type: 'pong' });
		expect(started.connections()).toBe(1);
		expect(started.queuedBytes()).toBe(0);
		client.send({ type: 'subscribe', topics: ['two'] });
		expect(await closed).toBe(1008);
	});
});
