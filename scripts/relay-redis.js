// Rooms shared between relay instances through Redis pub/sub (REDIS_URL), so two devices of one
// vault meet even when a load balancer sends them to different instances.
//
// Each instance publishes every message it relays to Redis once, on the channel of its topic,
// tagged with its own random id; it subscribes only to the channels of topics it has local
// members in, and unsubscribes when the last one leaves. What comes back from Redis with its own
// id was already delivered to its members, and is dropped; the rest is handed to `onMessage`,
// which delivers it to the local members only (never published again, so nothing loops).
//
// Redis is a helper, not a dependency: when it is down, the instance keeps relaying between its
// own members, drops what it would have published (no queue that grows while Redis is away), and
// reconnects; once back, it subscribes again to the topics its members are in now.
//
// Redis sees what the relay sees: room names and y-webrtc's sealed signaling, never plaintext.
//
// Client: @redis/client, the core of node-redis (the `redis` package minus its bundled module
// commands, which pull four more packages). Redis itself maintains node-redis and recommends it
// for new projects; ioredis is in best-effort maintenance.
import { createClient } from '@redis/client';
import { randomBytes } from 'node:crypto';

export const CHANNEL_PREFIX = 'papiers-relay:';
/** Between reconnection attempts, growing to this. */
const MAX_RECONNECT_DELAY_MS = 2_000;
/** Publishes waiting for Redis's answer; past this a publish is dropped, as when Redis is down. */
const MAX_QUEUED_COMMANDS = 10_000;

/**
 * @param {{
 *   url: string,
 *   onMessage: (topic: string, text: string) => void,
 *   maxMessageBytes: number,
 *   log: (kind: string, text: string) => void,
 *   channelPrefix?: string
 * }} options
 */
export function startRedisBridge(options) {
	const prefix = options.channelPrefix ?? CHANNEL_PREFIX;
	const instanceId = randomBytes(9).toString('base64url');
	const tag = `${instanceId}\n`;
	const { log } = options;
	const clientOptions = {
		url: options.url,
		// Fail fast while Redis is away: what cannot be published now is not worth sending later
		// (y-webrtc announces again), and a queue would grow for as long as Redis is down.
		disableOfflineQueue: true,
		commandsQueueMaxLength: MAX_QUEUED_COMMANDS,
		socket: {
			reconnectStrategy: (/** @type {number} */ retries) =>
				Math.min(50 * 2 ** Math.min(retries, 6), MAX_RECONNECT_DELAY_MS)
		}
	};
	const publisher = createClient(clientOptions);
	const subscriber = createClient(clientOptions);
	/** @param {string} which @param {Error} error */
	const reportError = (which, error) =>
		log('redis', `Redis (${which}): ${error.message || error.name}; serving local members only`);
	publisher.on('error', (error) => reportError('publish', error));
	subscriber.on('error', (error) => reportError('subscribe', error));
	publisher.on('ready', () => log('redis-ready-publish', 'Redis connected (publish)'));

	/** Topics with local members. */
	const wanted = new Set();
	/** Topics Redis is subscribed to for us (as far as answered commands tell). */
	const active = new Set();
	/** Topics with a SUBSCRIBE or UNSUBSCRIBE in flight. */
	const pending = new Set();
	let closed = false;
	let dropped = 0;

	/** @param {string} message @param {string} channel */
	function receive(message, channel) {
		if (!channel.startsWith(prefix)) return;
		const topic = channel.slice(prefix.length);
		const newline = message.indexOf('\n');
		if (newline < 0) return;
		if (message.slice(0, newline + 1) === tag) return; // ours: our members already have it
		const text = message.slice(newline + 1);
		// The sending instance checked its client; these checks keep a bad publish by anything
		// else that can reach Redis from reaching members or breaking the fan-out.
		if (Buffer.byteLength(text) > options.maxMessageBytes) return;
		const body = text.trimEnd();
		if (!body.startsWith('{') || !body.endsWith('}')) return;
		if (!wanted.has(topic)) return;
		options.onMessage(topic, text);
	}

	/** Brings Redis's subscriptions in line with the topics that have local members. */
	function reconcile() {
		if (closed || !subscriber.isReady) return;
		for (const topic of wanted) {
			if (active.has(topic) || pending.has(topic)) continue;
			pending.add(topic);
			subscriber.subscribe(prefix + topic, receive).then(
				() => {
					pending.delete(topic);
					active.add(topic);
					reconcile();
				},
				() => {
					pending.delete(topic); // disconnected meanwhile: tried again once ready
				}
			);
		}
		for (const topic of active) {
			if (wanted.has(topic) || pending.has(topic)) continue;
			pending.add(topic);
			subscriber.unsubscribe(prefix + topic, receive).then(
				() => {
					pending.delete(topic);
					active.delete(topic);
					reconcile();
				},
				() => pending.delete(topic)
			);
		}
	}
	subscriber.on('ready', () => {
		log('redis-ready-subscribe', 'Redis connected (subscribe)');
		// node-redis subscribes again to what it had; this adds what changed while it was away.
		reconcile();
	});

	// Connects in the background: the relay serves its own members from the start.
	for (const client of [publisher, subscriber]) client.connect().catch(() => {});

	return {
		instanceId,
		/** Both connections are up. */
		isConnected: () => publisher.isReady && subscriber.isReady,
		/** Topics subscribed in Redis now. */
		subscribedTopics: () => [...active],
		/** Publishes that were dropped because Redis was away or too slow. */
		dropped: () => dropped,
		/** A topic got its first local member. @param {string} topic */
		listen(topic) {
			wanted.add(topic);
			reconcile();
		},
		/** A topic lost its last local member. @param {string} topic */
		unlisten(topic) {
			wanted.delete(topic);
			reconcile();
		},
		/** Passes a publish on to the other instances. @param {string} topic @param {string} text */
		publish(topic, text) {
			if (!publisher.isReady) {
				dropped++;
				return;
			}
			publisher.publish(prefix + topic, tag + text).catch(() => dropped++);
		},
		async close() {
			closed = true;
			await Promise.all(
				[publisher, subscriber].map((client) => client.destroy?.() ?? client.disconnect())
			).catch(() => {});
		}
	};
}
