// The signaling relay: introduces devices of one vault to each other so they can open WebRTC
// connections. It speaks the protocol of y-webrtc's bundled server (bin/server.js: subscribe,
// unsubscribe, publish to a topic, ping) but that file listens on every interface as soon as it
// is imported and exports nothing, so it cannot be wrapped; this is the same relay with a host.
// It binds 127.0.0.1 unless told otherwise (HOST, PORT, default 4444). Deploy it behind TLS.
// It only ever sees room names and signaling payloads that y-webrtc encrypts with the room
// password; the optional tap (RELAY_TAP_FILE, or onMessage) records every message so tests can
// check that no plaintext passes through it. onMessage also learns which connection sent it (a
// number, and the client's User-Agent), so a test can tell its browsers apart.
//
//   node scripts/relay.js                        127.0.0.1:4444
//   HOST=0.0.0.0 PORT=8080 node scripts/relay.js  every interface (behind a TLS proxy)
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 4444;
/** A connection that misses a pong for this long is closed (as y-webrtc's server does). */
const PING_INTERVAL_MS = 30_000;
/** Signaling messages are SDP offers and ICE candidates: a few KiB. */
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_TOPICS_PER_CONNECTION = 64;

/**
 * @param {{ host?: string, port?: number, onMessage?: (text: string, from: { connection: number, userAgent: string }) => void, tapFile?: string }} [options]
 * @returns {Promise<{ host: string, port: number, url: string, connections: () => number, close: () => Promise<void> }>}
 */
export async function startRelay(options = {}) {
	const host = options.host ?? DEFAULT_HOST;
	const port = options.port ?? DEFAULT_PORT;
	const taps = [];
	if (options.onMessage) taps.push(options.onMessage);
	if (options.tapFile) {
		const file = options.tapFile;
		taps.push((text) => appendFileSync(file, `${text}\n`));
	}

	/** @type {Map<string, Set<import('ws').WebSocket>>} */
	const subscribers = new Map();
	const server = http.createServer((_request, response) => {
		response.writeHead(200, { 'Content-Type': 'text/plain' });
		response.end('okay');
	});
	const sockets = new WebSocketServer({ server, maxPayload: MAX_MESSAGE_BYTES });

	/** @param {import('ws').WebSocket} socket @param {unknown} message */
	function send(socket, message) {
		if (socket.readyState !== socket.OPEN) return;
		try {
			socket.send(JSON.stringify(message));
		} catch {
			socket.close();
		}
	}

	let connections = 0;
	sockets.on('connection', (socket, request) => {
		const from = { connection: ++connections, userAgent: request.headers['user-agent'] ?? '' };
		/** @type {Set<string>} */
		const topics = new Set();
		let alive = true;
		socket.on('pong', () => (alive = true));
		const pinger = setInterval(() => {
			if (!alive) {
				socket.terminate();
				return;
			}
			alive = false;
			socket.ping();
		}, PING_INTERVAL_MS);

		socket.on('close', () => {
			clearInterval(pinger);
			for (const topic of topics) {
				const set = subscribers.get(topic);
				set?.delete(socket);
				if (set?.size === 0) subscribers.delete(topic);
			}
			topics.clear();
		});

		socket.on('message', (data) => {
			const text = data.toString();
			for (const tap of taps) tap(text, from);
			let message;
			try {
				message = JSON.parse(text);
			} catch {
				return; // not ours to answer
			}
			if (!message || typeof message !== 'object') return;
			switch (message.type) {
				case 'subscribe':
					for (const topic of Array.isArray(message.topics) ? message.topics : []) {
						if (typeof topic !== 'string' || topics.size >= MAX_TOPICS_PER_CONNECTION) continue;
						topics.add(topic);
						let set = subscribers.get(topic);
						if (!set) subscribers.set(topic, (set = new Set()));
						set.add(socket);
					}
					break;
				case 'unsubscribe':
					for (const topic of Array.isArray(message.topics) ? message.topics : []) {
						topics.delete(topic);
						const set = subscribers.get(topic);
						set?.delete(socket);
						if (set?.size === 0) subscribers.delete(topic);
					}
					break;
				case 'publish': {
					if (typeof message.topic !== 'string') break;
					const receivers = subscribers.get(message.topic);
					if (!receivers) break;
					const outgoing = { ...message, clients: receivers.size };
					for (const receiver of receivers) send(receiver, outgoing);
					break;
				}
				case 'ping':
					send(socket, { type: 'pong' });
					break;
			}
		});
	});

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve(undefined);
		});
	});
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

	return {
		host: address.address,
		port: address.port,
		url: `ws://${urlHost}:${address.port}`,
		connections: () => sockets.clients.size,
		close: () =>
			new Promise((resolve) => {
				for (const socket of sockets.clients) socket.terminate();
				sockets.close();
				server.close(() => resolve(undefined));
			})
	};
}

const runDirectly = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
	const port = process.env.PORT ? Number(process.env.PORT) : DEFAULT_PORT;
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		console.error(`Invalid PORT: ${process.env.PORT}`);
		process.exit(1);
	}
	const relay = await startRelay({
		host: process.env.HOST || DEFAULT_HOST,
		port,
		tapFile: process.env.RELAY_TAP_FILE || undefined
	});
	console.log(`Signaling relay listening on ${relay.url}`);
	const stop = () => relay.close().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}
