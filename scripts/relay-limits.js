// The relay's limits, their defaults and the environment variables that change them.
//
// The defaults are far above what the wallet sends (src/lib/sync: y-webrtc signaling, i.e. an
// announce per room and a few SDP and ICE messages per peer, sealed and a few KiB each; pairing
// and handover mailboxes repeating a small sealed message every 1.5 s or 30 s; a ping every
// 15 s) and the e2e suite's browsers, all from 127.0.0.1. A vault's papers never pass through
// the relay: they travel over WebRTC data channels.

export const DEFAULT_LIMITS = Object.freeze({
	/** Largest message a client may send (ws closes with 1009 above it). */
	maxMessageBytes: 64 * 1024,
	/** Bytes waiting to be read by one client; above it the client is too slow and is closed. */
	maxQueuedBytes: 1024 * 1024,
	/** Messages (and ping frames) a connection may send per second, sustained... */
	maxMessagesPerSecond: 100,
	/** ...and at once, after a quiet time. */
	maxMessageBurst: 200,
	maxTopicsPerConnection: 64,
	/** In characters; the wallet's topics are under 64. */
	maxTopicLength: 256,
	/** Open connections from one address (one IPv6 /64); see relay-address.js. */
	maxConnectionsPerAddress: 64,
	/** A connection that misses a pong for this long is dropped (as y-webrtc's server does). */
	heartbeatMs: 30_000,
	/** Time to send the HTTP upgrade request, and the most it may idle before doing so. */
	handshakeTimeoutMs: 10_000,
	/**
	 * How long a connection the relay closes has to answer the close frame before it is cut. A
	 * reader closed for being too slow may never read it, and holds its queue meanwhile.
	 */
	closeTimeoutMs: 5_000,
	/**
	 * TURN credentials (GET …/turn-credentials) one address may fetch a minute, sustained... The
	 * wallet fetches one set each time sync starts (at each unlock).
	 */
	turnCredentialsPerMinute: 10,
	/** ...and at once. */
	turnCredentialsBurst: 20
});

/** @typedef {{ -readonly [K in keyof typeof DEFAULT_LIMITS]: number }} RelayLimits */

export const LIMIT_VARIABLES = Object.freeze({
	maxMessageBytes: 'RELAY_MAX_MESSAGE_BYTES',
	maxQueuedBytes: 'RELAY_MAX_QUEUED_BYTES',
	maxMessagesPerSecond: 'RELAY_MAX_MESSAGES_PER_SECOND',
	maxMessageBurst: 'RELAY_MAX_MESSAGE_BURST',
	maxTopicsPerConnection: 'RELAY_MAX_TOPICS_PER_CONNECTION',
	maxTopicLength: 'RELAY_MAX_TOPIC_LENGTH',
	maxConnectionsPerAddress: 'RELAY_MAX_CONNECTIONS_PER_ADDRESS',
	heartbeatMs: 'RELAY_HEARTBEAT_MS',
	handshakeTimeoutMs: 'RELAY_HANDSHAKE_TIMEOUT_MS',
	closeTimeoutMs: 'RELAY_CLOSE_TIMEOUT_MS',
	turnCredentialsPerMinute: 'RELAY_TURN_CREDENTIALS_PER_MINUTE',
	turnCredentialsBurst: 'RELAY_TURN_CREDENTIALS_BURST'
});

/**
 * The defaults, overridden by whichever RELAY_* variables are set. A value that is not a
 * positive whole number stops the relay from starting rather than leaving a limit off.
 * @param {Record<string, string | undefined>} env
 * @returns {RelayLimits}
 */
export function limitsFromEnv(env) {
	const limits = { ...DEFAULT_LIMITS };
	for (const [key, variable] of Object.entries(LIMIT_VARIABLES)) {
		const value = env[variable];
		if (value === undefined) continue;
		if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value))) {
			throw new Error(`${variable} must be a positive whole number, not "${value}"`);
		}
		limits[/** @type {keyof RelayLimits} */ (key)] = Number(value);
	}
	return limits;
}

/**
 * A token bucket: `burst` messages at once, refilled at `perSecond`. One per connection, so it
 * is two numbers, not a timer.
 */
export class MessageBudget {
	#tokens;
	#at;
	#perSecond;
	#burst;

	/** @param {number} perSecond @param {number} burst */
	constructor(perSecond, burst) {
		this.#perSecond = perSecond;
		this.#burst = Math.max(1, burst);
		this.#tokens = this.#burst;
		this.#at = performance.now();
	}

	/** Spends one message; false when the budget is gone. */
	spend() {
		const now = performance.now();
		this.#tokens = Math.min(
			this.#burst,
			this.#tokens + ((now - this.#at) / 1000) * this.#perSecond
		);
		this.#at = now;
		if (this.#tokens < 1) return false;
		this.#tokens -= 1;
		return true;
	}
}
