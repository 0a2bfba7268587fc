/**
 * No bytes a stranger can send stop the relay. Each attack goes over a plain TCP socket to a
 * relay in its own process (as deployed); afterwards the process must still run and serve a
 * publish between two fresh clients. Before the relay handled its sockets' errors, every
 * protocol violation below ended the process with "Unhandled 'error' event".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from './relay-process';
import {
	BINARY,
	CLOSE,
	CONTINUATION,
	PING,
	TEXT,
	closePayload,
	connect,
	destroyRawConnections,
	expectServes,
	frame,
	rawConnection,
	subscribe,
	terminateClients
} from './clients';

let relay: RelayProcess;
beforeEach(async () => {
	relay = await spawnRelay();
});
afterEach(async () => {
	terminateClients();
	destroyRawConnections();
	await relay.stop();
});

async function expectAlive(): Promise<void> {
	try {
		await expectServes(relay.url);
	} catch (error) {
		throw new Error(
			`The relay no longer serves (${error}); exit ${relay.exitCode()}:\n${relay.output()}`
		);
	}
	expect(relay.exitCode(), relay.output()).toBeNull();
}

/** Frames a WebSocket server must refuse; the relay closes the connection and carries on. */
const badFrames: [string, () => Buffer][] = [
	['a frame announcing more than the size cap', () => frame({ opcode: TEXT, length: 300 * 1024 })],
	['a 64-bit length beyond 2^53', () => frame({ opcode: BINARY, length: 2n ** 63n + 5n })],
	['a reserved data opcode', () => frame({ opcode: 0x3, payload: 'x' })],
	['a reserved control opcode', () => frame({ opcode: 0xb })],
	['RSV1 set with no extension agreed', () => frame({ opcode: TEXT, rsv: 4, payload: '{}' })],
	['text that is not UTF-8', () => frame({ opcode: TEXT, payload: Buffer.from([0xc3, 0x28]) })],
	['an unmasked client frame', () => frame({ opcode: TEXT, payload: '{}', mask: false })],
	['a fragmented ping', () => frame({ opcode: PING, fin: false })],
	['a ping over 125 bytes', () => frame({ opcode: PING, payload: 'p'.repeat(126) })],
	['a continuation with nothing to continue', () => frame({ opcode: CONTINUATION, payload: 'x' })],
	[
		'a new message inside a fragmented one',
		() =>
			Buffer.concat([
				frame({ opcode: TEXT, fin: false, payload: '{' }),
				frame({ opcode: TEXT, payload: '}' })
			])
	],
	[
		'a close frame with a reserved code',
		() => frame({ opcode: CLOSE, payload: closePayload(1005) })
	],
	['a close frame with a 1-byte body', () => frame({ opcode: CLOSE, payload: Buffer.from([3]) })],
	[
		'a close reason that is not UTF-8',
		() => frame({ opcode: CLOSE, payload: closePayload(1000, Buffer.from([0xff, 0xfe])) })
	],
	[
		'fragments adding up to more than the size cap',
		() =>
			Buffer.concat([
				frame({ opcode: TEXT, fin: false, payload: 'a'.repeat(200 * 1024) }),
				frame({ opcode: CONTINUATION, fin: false, payload: 'a'.repeat(100 * 1024) })
			])
	]
];

// Each test starts a relay process and opens several connections: on a loaded machine that can
// take seconds, hence the generous bound.
describe('the relay survives hostile frames', { timeout: 60_000 }, () => {
	for (const [name, bytes] of badFrames) {
		it(`${name}: closes that connection, serves the others`, async () => {
			const attacker = await rawConnection(relay.port);
			await attacker.handshake();
			attacker.write(bytes());
			await attacker.closed;
			await expectAlive();
		});
	}

	it('publish data nested too deep to serialise again: passed on, nobody is cut off', async () => {
		const listener = await connect(relay.url);
		await subscribe(listener, 'deep');
		const sender = await connect(relay.url);
		const depth = 30_000; // 2 bytes a level, within the 64 KiB cap; JSON.stringify overflows at 5,000
		sender.sendText(
			`{"type":"publish","topic":"deep","data":${'['.repeat(depth)}${']'.repeat(depth)}}`
		);
		expect(await listener.next()).toMatchObject({ type: 'publish', topic: 'deep', clients: 1 });
		sender.send({ type: 'publish', topic: 'deep', data: 'after' });
		expect(await listener.next()).toMatchObject({ data: 'after' });
		await expectAlive();
	});
});

describe('the relay survives hostile connections', { timeout: 60_000 }, () => {
	it('garbage instead of an HTTP request', async () => {
		const attacker = await rawConnection(relay.port);
		attacker.write(Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 13, 10]));
		await attacker.closed;
		await expectAlive();
	});

	it('an upgrade without a key, and one with an unknown version', async () => {
		for (const request of [
			'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n',
			'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 99\r\n\r\n'
		]) {
			const attacker = await rawConnection(relay.port);
			attacker.write(request);
			await attacker.closed;
			expect(attacker.received().toString()).toMatch(/^HTTP\/1.1 4\d\d/);
		}
		await expectAlive();
	});

	it('a header far too long', async () => {
		const attacker = await rawConnection(relay.port);
		attacker.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
		await attacker.closed;
		await expectAlive();
	});

	it('half-open connections: a handshake cut in two, a frame cut in two, both left hanging', async () => {
		const partialHandshake = await rawConnection(relay.port);
		partialHandshake.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: web');
		const partialFrame = await rawConnection(relay.port);
		await partialFrame.handshake();
		partialFrame.write(frame({ opcode: TEXT, payload: '{"type":"ping"}' }).subarray(0, 5));
		await expectAlive();
	});

	it('a connection reset in the middle of a frame', async () => {
		const attacker = await rawConnection(relay.port);
		await attacker.handshake();
		attacker.write(frame({ opcode: TEXT, payload: 'x'.repeat(1000) }).subarray(0, 500));
		attacker.reset();
		await attacker.closed;
		await expectAlive();
	});

	it('more connections than the process may open files', async () => {
		await relay.stop();
		// ulimit 64: node itself holds a dozen descriptors; 150 connections are far past the limit.
		relay = await spawnRelay({}, { openFiles: 64 });
		const flood = await Promise.allSettled(
			Array.from({ length: 150 }, async () => {
				const connection = await rawConnection(relay.port);
				await connection.handshake();
				return connection;
			})
		);
		expect(flood.some((result) => result.status === 'rejected')).toBe(true);
		destroyRawConnections();
		// The relay frees the flood's descriptors as it sees the connections close; until then a
		// new connection may be reset (out of descriptors, libuv accepts and drops it). It must
		// come back, and never exit.
		for (;;) {
			expect(relay.exitCode(), relay.output()).toBeNull();
			const served = await expectServes(relay.url).then(
				() => true,
				() => false
			);
			if (served) break;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		await expectAlive();
	});
});
