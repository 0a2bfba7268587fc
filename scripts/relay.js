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
// Anyone can reach it, so nothing a client sends may stop it or make it hold memory without
// bound: every socket has an error handler; each connection has a cap on what waits to be sent
// to it, on message size, message rate and topics, and each address on its connections
// (relay-limits.js for the values and the RELAY_* variables that change them). Over a limit the
// relay closes that one connection with a close code and reason a client can log:
//   1008 policy: too many messages, too many topics, a topic too long
//   1009 a message over the size cap (ws itself)
//   1013 try again later: too slow to read what it is sent, too many connections from its address
//
// Scaling out: with REDIS_URL, instances share rooms through Redis pub/sub (relay-redis.js), so
// devices sent to different instances by a load balancer still meet; without it, this process
// is the whole relay. TURN: with TURN_SECRET and TURN_URLS, GET …/turn-credentials hands out
// short-lived coturn credentials, rate-limited per address (relay-turn.js).
//
//   node scripts/relay.js                        127.0.0.1:4444
//   HOST=0.0.0.0 PORT=8080 node scripts/relay.js  every interface (behind a TLS proxy)
//   REDIS_URL=redis://127.0.0.1:6379 PORT=4001 node scripts/relay.js   one of several instances
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';
import { clientAddress, DEFAULT_TRUSTED_PROXIES, trustedProxiesFromEnv } from './relay-address.js';
import { DEFAULT_LIMITS, limitsFromEnv, MessageBudget } from './relay-limits.js';
import { turnConfigFromEnv, turnCredentialsHandler } from './relay-turn.js';

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 4444;
/**
 * Server errors (say, out of file descriptors under a flood) and connections closed over a
 * limit are logged, each kind at most this often. No address is logged.
 */
const LOG_INTERVAL_MS = 10_000;

const POLICY = 1008;
const TRY_AGAIN_LATER = 1013;
const INTERNAL_ERROR = 1011;
const PONG = Buffer.from(JSON.stringify({ type: 'pong' }));
const ignore = () => {};

/**
 * @typedef {object} Member an open connection that passed the per-address limit
 * @property {import('ws').WebSocket} socket
 * @property {{ connection: number, userAgent: string }} from
 * @property {Set<string>} topics
 * @property {boolean} alive answered the last heartbeat
 * @property {MessageBudget} budget
 */

/**
 * @param {{ host?: string, port?: number, onMessage?: (text: string, from: { connection: number, userAgent: string }) => void, tapFile?: string, limits?: Partial<import('./relay-limits.js').RelayLimits>, trustedProxies?: Iterable<string>, redisUrl?: string, turn?: import('./relay-turn.js').TurnConfig }} [options]
 */
export async function startRelay(options = {}) {
	const host = options.host ?? DEFAULT_HOST;
	const port = options.port ?? DEFAULT_PORT;
	const limits = { ...DEFAULT_LIMITS, ...options.limits };
	const trustedProxies = new Set(options.trustedProxies ?? DEFAULT_TRUSTED_PROXIES);
	/** @type {((text: string, from: Member['from']) => void)[]} */
	const taps = [];
	if (options.onMessage) taps.push(options.onMessage);
	if (options.tapFile) {
		const file = options.tapFile;
		taps.push((text) => appendFileSync(file, `${text}\n`));
	}

	/** @type {Map<string, Set<Member>>} */
	const subscribers = new Map();
	/** @type {Set<Member>} */
	const members = new Set();
	/** Upgraded TCP connections per address, accepted or being refused, until they close. */
	/** @type {Map<string, number>} */
	const perAddress = new Map();
	let connectionCount = 0;

	/** When each kind of event was last logged: a client must not be able to flood the log. */
	/** @type {Map<string, number>} */
	const lastLogged = new Map();
	/** @param {string} kind @param {string} text */
	function log(kind, text) {
		const now = Date.now();
		if (now - (lastLogged.get(kind) ?? -Infinity) < LOG_INTERVAL_MS) return;
		lastLogged.set(kind, now);
		console.error(`Relay: ${text}`);
	}
	/** @param {Error} error */
	const report = (error) => log('error', error.message);

	// With REDIS_URL, rooms are shared with the other instances (relay-redis.js); without, this
	// process is the whole relay, and does not even load the Redis client (about 20 MiB of RSS).
	const redis = options.redisUrl
		? (await import('./relay-redis.js')).startRedisBridge({
				url: options.redisUrl,
				maxMessageBytes: limits.maxMessageBytes,
				log,
				onMessage: (topic, text) => fanOut(topic, text)
			})
		: undefined;
	// GET …/turn-credentials: short-lived TURN credentials for coturn (relay-turn.js).
	const turnCredentials = turnCredentialsHandler({ turn: options.turn, limits, trustedProxies });

	const server = http.createServer(
		{
			// A request (the WebSocket upgrade is one) must arrive whole within the handshake time.
			headersTimeout: limits.handshakeTimeoutMs,
			requestTimeout: limits.handshakeTimeoutMs,
			connectionsCheckingInterval: Math.min(1_000, limits.handshakeTimeoutMs)
		},
		(request, response) => {
			if (turnCredentials.handles(request)) return turnCredentials.answer(request, response);
			response.writeHead(200, { 'Content-Type': 'text/plain' });
			response.end('okay');
		}
	);
	// And a connection that sends nothing at all is dropped after as long (ws turns this timer
	// off once a connection is upgraded).
	server.timeout = limits.handshakeTimeoutMs;
	const sockets = new WebSocketServer({
		noServer: true,
		maxPayload: limits.maxMessageBytes,
		perMessageDeflate: false,
		closeTimeout: limits.closeTimeoutMs
	});
	sockets.on('error', report);

	server.on('upgrade', (request, tcp, head) => {
		tcp.on('error', ignore); // a reset mid-handshake is the client's business
		const address = clientAddress(
			request.socket.remoteAddress,
			request.headers['x-forwarded-for'],
			trustedProxies
		);
		const open = perAddress.get(address) ?? 0;
		// Up to the cap: accepted. Beyond, each is upgraded only to be told why it is closed, and
		// counts until it goes; past twice the cap, a flood is not even answered.
		if (open >= 2 * limits.maxConnectionsPerAddress) {
			log('flood', 'dropped a connection: a flood from one address');
			tcp.destroy();
			return;
		}
		perAddress.set(address, open + 1);
		tcp.once('close', () => {
			const left = (perAddress.get(address) ?? 1) - 1;
			if (left > 0) perAddress.set(address, left);
			else perAddress.delete(address);
		});
		sockets.handleUpgrade(request, tcp, head, (socket) => {
			socket.on('error', ignore); // ws closes the connection itself, with the right code
			if (open >= limits.maxConnectionsPerAddress) {
				log('address', 'refused a connection: too many from one address');
				socket.close(
					TRY_AGAIN_LATER,
					`Too many connections from this address (limit ${limits.maxConnectionsPerAddress})`
				);
				return;
			}
			welcome(socket, request);
		});
	});

	/** @param {import('ws').WebSocket} socket @param {import('node:http').IncomingMessage} request */
	function welcome(socket, request) {
		/** @type {Member} */
		const member = {
			socket,
			from: { connection: ++connectionCount, userAgent: request.headers['user-agent'] ?? '' },
			topics: new Set(),
			alive: true,
			budget: new MessageBudget(limits.maxMessagesPerSecond, limits.maxMessageBurst)
		};
		members.add(member);
		socket.on('pong', () => (member.alive = true));
		// Pings cost an answer too; ws caps the answers a client leaves unread.
		socket.on('ping', () => {
			if (members.has(member) && !member.budget.spend()) tooManyMessages(member);
		});
		socket.on('message', (data) => {
			try {
				receive(member, /** @type {Buffer} */ (data));
			} catch (error) {
				report(/** @type {Error} */ (error));
				closeMember(member, INTERNAL_ERROR, 'Internal error');
			}
		});
		socket.on('close', () => leave(member));
	}

	/** @param {Member} member @param {number} code @param {string} reason */
	function closeMember(member, code, reason) {
		log(reason, `closed a connection (${code}): ${reason}`);
		leave(member); // nothing more is sent to it while it closes
		if (member.socket.readyState === member.socket.OPEN) member.socket.close(code, reason);
	}

	/** @param {Member} member */
	function tooManyMessages(member) {
		closeMember(
			member,
			POLICY,
			`Too many messages: over ${limits.maxMessagesPerSecond} a second (burst ${limits.maxMessageBurst})`
		);
	}

	/** @param {Member} member */
	function leave(member) {
		members.delete(member);
		for (const topic of member.topics) unsubscribe(member, topic);
	}

	/** @param {Member} member @param {string} topic */
	function unsubscribe(member, topic) {
		member.topics.delete(topic);
		const set = subscribers.get(topic);
		set?.delete(member);
		if (set?.size === 0) {
			subscribers.delete(topic);
			redis?.unlisten(topic);
		}
	}

	/** @param {Member} member @param {unknown} topic */
	function topicTooLong(member, topic) {
		if (typeof topic !== 'string' || topic.length <= limits.maxTopicLength) return false;
		closeMember(member, POLICY, `Topic too long: over ${limits.maxTopicLength} characters`);
		return true;
	}

	/** @param {Member} member @param {Buffer} data */
	function receive(member, data) {
		if (!members.has(member)) return; // closing: what it still sends is ignored
		if (!member.budget.spend()) return tooManyMessages(member);
		const text = data.toString();
		for (const tap of taps) tap(text, member.from);
		let message;
		try {
			message = JSON.parse(text);
		} catch {
			return; // not ours to answer
		}
		if (!message || typeof message !== 'object' || Array.isArray(message)) return;
		const topics = Array.isArray(message.topics) ? message.topics : [];
		switch (message.type) {
			case 'subscribe':
				for (const topic of topics) {
					if (typeof topic !== 'string' || member.topics.has(topic)) continue;
					if (topicTooLong(member, topic)) return;
					if (member.topics.size >= limits.maxTopicsPerConnection) {
						return closeMember(
							member,
							POLICY,
							`Too many topics: over ${limits.maxTopicsPerConnection} on one connection`
						);
					}
					member.topics.add(topic);
					let set = subscribers.get(topic);
					if (!set) {
						subscribers.set(topic, (set = new Set()));
						redis?.listen(topic);
					}
					set.add(member);
				}
				break;
			case 'unsubscribe':
				for (const topic of topics) if (typeof topic === 'string') unsubscribe(member, topic);
				break;
			case 'publish':
				if (typeof message.topic !== 'string' || topicTooLong(member, message.topic)) return;
				fanOut(message.topic, text);
				redis?.publish(message.topic, text);
				break;
			case 'ping':
				deliver(member, PONG);
				break;
		}
	}

	/**
	 * Hands a publish to every subscriber of its topic on this relay: the one place a message
	 * fans out, whether a member of this instance sent it or another instance passed it on
	 * through Redis (then after the same size check, relay-redis.js). The rate limits were the
	 * sender's instance's to apply, per connection; the cap on what waits to be read by each
	 * receiver applies here, in deliver(), whoever sent it.
	 *
	 * What goes out is the sender's own text with the subscriber count appended, as y-webrtc's
	 * server sends it, built once for every receiver: never parsed back into text, which a
	 * message nested deep enough would make throw.
	 * @param {string} topic @param {string} text a JSON object, as received
	 */
	function fanOut(topic, text) {
		const receivers = subscribers.get(topic);
		if (!receivers) return;
		const body = text.trimEnd();
		const outgoing = Buffer.from(`${body.slice(0, -1)},"clients":${receivers.size}}`);
		for (const receiver of receivers) deliver(receiver, outgoing);
	}

	/**
	 * Sends unless the receiver already has too much waiting (it does not read, or reads too
	 * slowly): then it is closed, so one slow reader can neither hold the relay's memory nor
	 * hold up its room.
	 * @param {Member} member @param {Buffer} bytes
	 */
	function deliver(member, bytes) {
		const { socket } = member;
		if (socket.readyState !== socket.OPEN) return;
		if (socket.bufferedAmount + bytes.length > limits.maxQueuedBytes) {
			closeMember(
				member,
				TRY_AGAIN_LATER,
				`Too slow: over ${limits.maxQueuedBytes} bytes waiting to be read`
			);
			return;
		}
		socket.send(bytes, { binary: false });
	}

	// One timer for every connection: a member that did not answer the last ping is dropped.
	const heartbeat = setInterval(() => {
		for (const member of members) {
			if (!member.alive) {
				leave(member);
				member.socket.terminate();
				continue;
			}
			member.alive = false;
			if (member.socket.readyState === member.socket.OPEN) member.socket.ping();
		}
	}, limits.heartbeatMs);
	heartbeat.unref();

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve(undefined);
		});
	}).catch(async (error) => {
		// Not listening (say, the port is taken): nothing may keep reconnecting to Redis.
		clearInterval(heartbeat);
		await redis?.close();
		throw error;
	});
	// From now on a server error (EMFILE when a flood exhausts file descriptors) is reported and
	// the relay carries on; the connections that caused it close and free what they held. A bad
	// HTTP request is Node's to answer (400 or 431, then the connection is closed).
	server.on('error', report);
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

	return {
		host: address.address,
		port: address.port,
		url: `ws://${urlHost}:${address.port}`,
		limits: Object.freeze({ ...limits }),
		connections: () => members.size,
		/** Sharing rooms through Redis (undefined without redisUrl). */
		redis: redis && {
			instanceId: redis.instanceId,
			isConnected: redis.isConnected,
			subscribedTopics: redis.subscribedTopics,
			dropped: redis.dropped
		},
		/** Bytes waiting to be sent, over every connection. */
		queuedBytes: () => {
			let total = 0;
			for (const socket of sockets.clients) total += socket.bufferedAmount;
			return total;
		},
		close: () =>
			/** @type {Promise<void>} */ (
				new Promise((resolve) => {
					clearInterval(heartbeat);
					void redis?.close();
					for (const socket of sockets.clients) socket.terminate();
					sockets.close();
					server.close(() => resolve());
					server.closeAllConnections();
				})
			)
	};
}

const runDirectly = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
	const port = process.env.PORT ? Number(process.env.PORT) : DEFAULT_PORT;
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		console.error(`Invalid PORT: ${process.env.PORT}`);
		process.exit(1);
	}
	let limits, trustedProxies, turn;
	try {
		limits = limitsFromEnv(process.env);
		trustedProxies = trustedProxiesFromEnv(process.env);
		turn = turnConfigFromEnv(process.env);
	} catch (error) {
		console.error(/** @type {Error} */ (error).message);
		process.exit(1);
	}
	const relay = await startRelay({
		host: process.env.HOST || DEFAULT_HOST,
		port,
		tapFile: process.env.RELAY_TAP_FILE || undefined,
		limits,
		trustedProxies,
		redisUrl: process.env.REDIS_URL || undefined,
		turn
	});
	console.log(`Signaling relay listening on ${relay.url}`);
	console.log(
		`Limits: ${Object.entries(relay.limits)
			.map(([key, value]) => `${key}=${value}`)
			.join(' ')}; trusted proxies: ${[...trustedProxies].join(', ') || 'none'}`
	);
	// Neither line names the Redis password or the TURN secret.
	console.log(
		relay.redis
			? `Rooms shared through Redis (instance ${relay.redis.instanceId})`
			: 'Rooms kept in this process (no REDIS_URL)'
	);
	console.log(
		turn
			? `TURN credentials for ${turn.urls.join(', ')}, valid ${turn.ttlSeconds} s`
			: 'No TURN credentials (no TURN_SECRET)'
	);
	const stop = () => relay.close().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}
