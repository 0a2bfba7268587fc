/**
 * Clients of the relay for its tests: a well-behaved WebSocket client (the `ws` package, as the
 * wallet's Node tests use it) that can also stop reading, and a raw TCP connection that speaks
 * whatever bytes a test wants, hand-built frames included.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import { randomBytes } from 'node:crypto';

/** The part of ws's client used here (ws ships no types and @types/ws is not installed). */
interface WsSocket {
	readonly readyState: number;
	send(data: string, callback?: (error?: Error) => void): void;
	close(): void;
	terminate(): void;
	on(event: 'message', listener: (data: Buffer) => void): void;
	on(event: 'close', listener: (code: number, reason: Buffer) => void): void;
	on(event: 'error', listener: (error: Error) => void): void;
	once(event: 'open', listener: () => void): void;
	once(event: 'error', listener: (error: Error) => void): void;
	_socket: net.Socket;
}
const { WebSocket } = createRequire(import.meta.url)('ws') as {
	WebSocket: new (url: string, options?: { headers?: Record<string, string> }) => WsSocket;
};

export interface Closed {
	code: number;
	reason: string;
}

export interface Client {
	send(message: unknown): void;
	sendText(text: string): void;
	/** The next message, or the close if the relay closes first. */
	next(): Promise<unknown>;
	/** Settles when the connection closes, with the relay's close code and reason. */
	closed: Promise<Closed>;
	isOpen(): boolean;
	/** Stops reading from the TCP socket: what the relay sends piles up on its side. */
	pause(): void;
	resume(): void;
	received(): number;
	terminate(): void;
}

const everyClient = new Set<Client>();

/** Ends every client the tests opened (call in afterEach). */
export function terminateClients(): void {
	for (const client of everyClient) client.terminate();
	everyClient.clear();
}

/** Opens a client; rejects if the connection fails before it opens. */
export async function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
	const socket = new WebSocket(url, { headers });
	const inbox: unknown[] = [];
	const waiters: ((message: unknown) => void)[] = [];
	let count = 0;
	let closedWith: Closed | undefined;
	const closed = new Promise<Closed>((resolve) =>
		socket.on('close', (code, reason) => {
			closedWith = { code, reason: reason.toString() };
			for (const waiter of waiters.splice(0)) waiter({ closed: closedWith });
			resolve(closedWith);
		})
	);
	socket.on('message', (data) => {
		count++;
		const message = JSON.parse(data.toString());
		const waiter = waiters.shift();
		if (waiter) waiter(message);
		else inbox.push(message);
	});
	await new Promise<void>((resolve, reject) => {
		socket.once('open', resolve);
		socket.once('error', reject);
	});
	socket.on('error', () => {}); // reported through `closed`
	const client: Client = {
		send: (message) => socket.send(JSON.stringify(message)),
		sendText: (text) => socket.send(text),
		next: () => {
			if (inbox.length) return Promise.resolve(inbox.shift());
			if (closedWith) return Promise.resolve({ closed: closedWith });
			return new Promise((resolve) => waiters.push(resolve));
		},
		closed,
		isOpen: () => socket.readyState === 1,
		pause: () => socket._socket.pause(),
		resume: () => socket._socket.resume(),
		received: () => count,
		terminate: () => socket.terminate()
	};
	everyClient.add(client);
	return client;
}

/** Subscribes and waits for the relay to have done it (its pong comes after). */
export async function subscribe(client: Client, ...topics: string[]): Promise<void> {
	client.send({ type: 'subscribe', topics });
	await roundTrip(client);
}

export async function roundTrip(client: Client): Promise<void> {
	client.send({ type: 'ping' });
	for (;;) {
		const message = (await client.next()) as { type?: string; closed?: Closed };
		if (message.type === 'pong') return;
		if (message.closed) throw new Error(`Closed: ${JSON.stringify(message.closed)}`);
	}
}

/** Two fresh clients on one topic: a publish from one reaches the other. */
export async function expectServes(url: string): Promise<void> {
	const topic = `check-${randomBytes(6).toString('hex')}`;
	const alice = await connect(url);
	const bob = await connect(url);
	await subscribe(alice, topic);
	await subscribe(bob, topic);
	alice.send({ type: 'publish', topic, data: 'still here' });
	const received = (await bob.next()) as { data?: string };
	if (received.data !== 'still here') throw new Error(`Bob got ${JSON.stringify(received)}`);
	alice.terminate();
	bob.terminate();
}

export interface RawConnection {
	write(bytes: Buffer | string): void;
	/** Everything the relay sent so far. */
	received(): Buffer;
	/** Settles when the relay (or the network) ends the connection. */
	closed: Promise<void>;
	isClosed(): boolean;
	/** Sends the HTTP upgrade and waits for the relay's answer to it. */
	handshake(headers?: string): Promise<string>;
	destroy(): void;
	reset(): void;
}

const rawConnections = new Set<RawConnection>();

export function destroyRawConnections(): void {
	for (const connection of rawConnections) connection.destroy();
	rawConnections.clear();
}

export async function rawConnection(port: number): Promise<RawConnection> {
	const socket = net.connect(port, '127.0.0.1');
	socket.on('error', () => {}); // a reset from the relay is a possible outcome, seen as `closed`
	await new Promise<void>((resolve, reject) => {
		socket.once('connect', resolve);
		socket.once('error', reject);
	});
	let received = Buffer.alloc(0);
	let isClosed = false;
	const listeners: (() => void)[] = [];
	socket.on('data', (chunk) => {
		received = Buffer.concat([received, chunk]);
		for (const listener of listeners.splice(0)) listener();
	});
	const closed = new Promise<void>((resolve) =>
		socket.once('close', () => {
			isClosed = true;
			for (const listener of listeners.splice(0)) listener();
			resolve();
		})
	);
	const connection: RawConnection = {
		write: (bytes) => void socket.write(bytes),
		received: () => received,
		closed,
		isClosed: () => isClosed,
		async handshake(headers = '') {
			socket.write(
				'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
					`Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
					`Sec-WebSocket-Version: 13\r\n${headers}\r\n`
			);
			while (!received.includes('\r\n\r\n') && !isClosed) {
				await new Promise<void>((resolve) => listeners.push(resolve));
			}
			const head = received.subarray(0, received.indexOf('\r\n\r\n')).toString();
			if (!head.startsWith('HTTP/1.1 101')) throw new Error(`Handshake refused: ${head}`);
			received = received.subarray(received.indexOf('\r\n\r\n') + 4);
			return head;
		},
		destroy: () => socket.destroy(),
		reset: () => socket.resetAndDestroy()
	};
	rawConnections.add(connection);
	return connection;
}

/** One client-to-server WebSocket frame (RFC 6455 section 5.2), valid or not as asked. */
export function frame(options: {
	opcode: number;
	payload?: Buffer | string;
	fin?: boolean;
	rsv?: number;
	mask?: boolean;
	/** Length to announce in the header, whatever the payload sent. */
	length?: bigint | number;
}): Buffer {
	const payload = Buffer.from(options.payload ?? '');
	const length = BigInt(options.length ?? payload.length);
	const mask = options.mask ?? true;
	const head = [((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | options.opcode];
	let extended = Buffer.alloc(0);
	if (length < 126n) head.push(Number(length));
	else if (length < 65536n) {
		head.push(126);
		extended = Buffer.alloc(2);
		extended.writeUInt16BE(Number(length));
	} else {
		head.push(127);
		extended = Buffer.alloc(8);
		extended.writeBigUInt64BE(length);
	}
	if (!mask) return Buffer.concat([Buffer.from(head), extended, payload]);
	head[1] |= 0x80;
	const key = randomBytes(4);
	const masked = Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]));
	return Buffer.concat([Buffer.from(head), extended, key, masked]);
}

export const TEXT = 0x1;
export const BINARY = 0x2;
export const CONTINUATION = 0x0;
export const CLOSE = 0x8;
export const PING = 0x9;

/** A close frame's payload: code then reason. */
export function closePayload(code: number, reason: Buffer | string = ''): Buffer {
	const head = Buffer.alloc(2);
	head.writeUInt16BE(code);
	return Buffer.concat([head, Buffer.from(reason)]);
}
