/**
 * Relay instances sharing rooms through a real redis-server (Debian's; started per test file on
 * a free port, with no persistence). Each instance runs in this process (startRelay) so the test
 * can see which topics it subscribed to in Redis.
 *
 * Bounds are generous on purpose (a loaded machine); every wait is on a condition.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@redis/client';
import { startRelay, type RunningRelay } from '../../../scripts/relay.js';
import { CHANNEL_PREFIX } from '../../../scripts/relay-redis.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { connect, roundTrip, subscribe, terminateClients, type Client } from './clients';
import { spawnRelay } from './relay-process';

let redis: RedisServer;
const relays: RunningRelay[] = [];

beforeAll(async () => {
	redis = await startRedisServer();
});
afterAll(async () => {
	await redis?.stop();
});
afterEach(async () => {
	terminateClients();
	for (const relay of relays.splice(0)) await relay.close();
	if (!(await redisAnswers())) await redis.restart();
});

async function instance(options: { maxMessageBytes?: number } = {}): Promise<RunningRelay> {
	const relay = await startRelay({
		port: 0,
		redisUrl: redis.url,
		limits: options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}
	});
	relays.push(relay);
	await until(() => relay.redis!.isConnected());
	return relay;
}

/** A condition polled until it holds; the bound only turns a hang into a failure. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
	const started = Date.now();
	while (!(await condition())) {
		if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${condition}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

async function redisAnswers(): Promise<boolean> {
	const client = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
	client.on('error', () => {});
	try {
		await client.connect();
		await client.ping();
		return true;
	} catch {
		return false;
	} finally {
		client.destroy();
	}
}

/** What Redis itself says is subscribed, by channel (topic). */
async function redisChannels(): Promise<string[]> {
	const client = createClient({ url: redis.url });
	client.on('error', () => {});
	await client.connect();
	try {
		const channels = await client.sendCommand(['PUBSUB', 'CHANNELS', `${CHANNEL_PREFIX}*`]);
		return (channels as unknown as string[])
			.map((channel) => channel.slice(CHANNEL_PREFIX.length))
			.sort();
	} finally {
		client.destroy();
	}
}

type Publish = { type?: string; topic?: string; data?: unknown; clients?: number };

/** The publishes `client` receives before the ping's pong, in order. */
async function drain(client: Client): Promise<Publish[]> {
	client.send({ type: 'ping' });
	const seen: Publish[] = [];
	for (;;) {
		const message = (await client.next()) as Publish & { closed?: unknown };
		if (message.closed) throw new Error(`closed: ${JSON.stringify(message.closed)}`);
		if (message.type === 'pong') return seen;
		seen.push(message);
	}
}

/** Waits for the next publish on `client`, failing on anything else. */
async function nextPublish(client: Client): Promise<Publish> {
	const message = (await client.next()) as Publish & { closed?: unknown };
	if (message.type !== 'publish') throw new Error(`expected a publish: ${JSON.stringify(message)}`);
	return message;
}

/**
 * Publishes from `from` until `to` receives it: right after a reconnection, Redis may not have
 * the subscription yet, and a publish sent before it is lost (as y-webrtc's announces are; it
 * announces again). Each call tags its publishes, so a late copy of an earlier call's, or the
 * sender's own copy, is not taken for this one. Returns the number of tries.
 */
async function publishUntilReceived(from: Client, to: Client, topic: string, timeoutMs = 60_000) {
	const tag = `probe-${Math.random().toString(36).slice(2)}`;
	const started = Date.now();
	for (let attempt = 1; ; attempt++) {
		from.send({ type: 'publish', topic, data: `${tag} ${attempt}` });
		await roundTrip(from);
		// A few looks, each ordered after everything already delivered to `to`.
		for (let look = 0; look < 5; look++) {
			const seen = await drain(to);
			if (seen.some((message) => String(message.data).startsWith(tag))) return attempt;
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		if (Date.now() - started > timeoutMs) throw new Error('never received across instances');
	}
}

describe('relay instances sharing rooms through Redis', () => {
	it('deliver a publish once to every member, on this instance and on the other', async () => {
		const [one, two] = [await instance(), await instance()];
		expect(one.redis!.instanceId).not.toBe(two.redis!.instanceId);
		const alice = await connect(one.url);
		const carol = await connect(one.url);
		const bob = await connect(two.url);
		for (const client of [alice, carol, bob]) await subscribe(client, 'room');
		await until(() => two.redis!.subscribedTopics().includes('room'));
		// What goes through Redis, seen by a subscriber of its own.
		const observer = createClient({ url: redis.url });
		observer.on('error', () => {});
		await observer.connect();
		const published: string[] = [];
		await observer.subscribe(`${CHANNEL_PREFIX}room`, (message) => published.push(message));

		alice.send({ type: 'publish', topic: 'room', data: 'first' });
		alice.send({ type: 'publish', topic: 'room', data: 'second' });
		// Everything sent before these pings has arrived once they answer... except what crosses
		// Redis, which bob waits for: the second publish, then nothing but the pong.
		expect((await nextPublish(bob)).data).toBe('first');
		expect((await nextPublish(bob)).data).toBe('second');
		expect(await drain(bob)).toEqual([]);
		for (const local of [alice, carol]) {
			// Not twice: the copy that comes back from Redis to instance one is dropped.
			expect((await drain(local)).map((message) => message.data)).toEqual(['first', 'second']);
		}
		// And once more after a round trip through Redis in the other direction, which would have
		// brought any echo of the first two back by now.
		bob.send({ type: 'publish', topic: 'room', data: 'third' });
		expect((await nextPublish(alice)).data).toBe('third');
		expect((await nextPublish(carol)).data).toBe('third');
		expect((await drain(alice)).map((message) => message.data)).toEqual([]);
		expect((await drain(bob)).map((message) => message.data)).toEqual(['third']);
		// Each publish went to Redis once, by the instance its sender is on, tagged with its id.
		await until(() => published.length >= 3);
		const tags = published.map((message) => message.slice(0, message.indexOf('\n')));
		expect(tags).toEqual([one.redis!.instanceId, one.redis!.instanceId, two.redis!.instanceId]);
		observer.destroy();
	});

	it('subscribe in Redis only to topics with local members, and leave with the last one', async () => {
		const one = await instance();
		const alice = await connect(one.url);
		const carol = await connect(one.url);
		await subscribe(alice, 'kept', 'left');
		await subscribe(carol, 'left');
		await until(async () => (await redisChannels()).join() === 'kept,left');
		expect(one.redis!.subscribedTopics().sort()).toEqual(['kept', 'left']);

		alice.send({ type: 'unsubscribe', topics: ['left'] });
		await roundTrip(alice);
		// Carol is still in it.
		expect(one.redis!.subscribedTopics().sort()).toEqual(['kept', 'left']);
		carol.terminate();
		await until(async () => (await redisChannels()).join() === 'kept');
		alice.terminate();
		await until(async () => (await redisChannels()).length === 0);
		await until(() => one.redis!.subscribedTopics().length === 0);
	});

	it('keep serving their own members while Redis is down, and share again once it is back', async () => {
		const [one, two] = [await instance(), await instance()];
		const alice = await connect(one.url);
		const carol = await connect(one.url);
		const bob = await connect(two.url);
		for (const client of [alice, carol, bob]) await subscribe(client, 'room');
		await until(() => two.redis!.subscribedTopics().includes('room'));
		await publishUntilReceived(alice, bob, 'room');
		await drain(carol);

		await redis.kill();
		await until(() => !one.redis!.isConnected() && !two.redis!.isConnected());
		// Local members still meet.
		alice.send({ type: 'publish', topic: 'room', data: 'while down' });
		expect((await nextPublish(carol)).data).toBe('while down');
		// A member who arrives while Redis is down is served locally too...
		const dave = await connect(two.url);
		await subscribe(dave, 'later');
		const erin = await connect(two.url);
		await subscribe(erin, 'later');
		dave.send({ type: 'publish', topic: 'later', data: 'local' });
		expect((await nextPublish(erin)).data).toBe('local');
		// ...and nothing reached the other instance.
		expect((await drain(bob)).filter((message) => message.data === 'while down')).toEqual([]);
		expect(one.redis!.dropped()).toBeGreaterThan(0);

		await redis.restart();
		await until(() => one.redis!.isConnected() && two.redis!.isConnected(), 60_000);
		// Both directions again, the old topic (subscribed again) and the one joined while down.
		await publishUntilReceived(alice, bob, 'room');
		await publishUntilReceived(bob, alice, 'room');
		const frank = await connect(one.url);
		await subscribe(frank, 'later');
		await until(async () => (await redisChannels()).includes('later'));
		await publishUntilReceived(frank, dave, 'later');
	});

	it('pass on from Redis only what a member could have sent: within the size limit, a JSON object', async () => {
		const maxMessageBytes = 4096;
		const one = await instance({ maxMessageBytes });
		const bob = await connect(one.url);
		await subscribe(bob, 'room');
		await until(() => one.redis!.subscribedTopics().includes('room'));
		// Anything else that can publish to Redis (another process, a compromised instance).
		const intruder = createClient({ url: redis.url });
		intruder.on('error', () => {});
		await intruder.connect();
		const send = (text: string) => intruder.publish(`${CHANNEL_PREFIX}room`, `elsewhere\n${text}`);
		const publish = (data: string) => JSON.stringify({ type: 'publish', topic: 'room', data });
		try {
			await send(publish('x'.repeat(maxMessageBytes))); // over the limit once wrapped
			await send('not json at all');
			await send('["an array"]');
			await send(publish('within the limit'));
			// The last one arrives, the three before it did not.
			expect((await nextPublish(bob)).data).toBe('within the limit');
			expect(await drain(bob)).toEqual([]);
		} finally {
			intruder.destroy();
		}
	});
});

describe('the relay command line', () => {
	it('shares rooms through the Redis REDIS_URL names, and says so without printing the URL', async () => {
		const command = await spawnRelay({ REDIS_URL: redis.url });
		try {
			// Printed after "listening on"; the URL, which may hold a password, is not.
			await until(() => /Rooms shared through Redis \(instance [\w-]+\)/.test(command.output()));
			expect(command.output()).not.toContain(redis.url);
			const other = await instance();
			const alice = await connect(command.url);
			const bob = await connect(other.url);
			await subscribe(alice, 'room');
			await subscribe(bob, 'room');
			await publishUntilReceived(bob, alice, 'room');
			await publishUntilReceived(alice, bob, 'room');
		} finally {
			await command.stop();
		}
		const plain = await spawnRelay();
		try {
			await until(() => plain.output().includes('Rooms kept in this process (no REDIS_URL)'));
		} finally {
			await plain.stop();
		}
	});
});

describe('a relay with no REDIS_URL', () => {
	it('keeps rooms in its own memory, as `npm start` runs it', async () => {
		const relay = await startRelay({ port: 0 });
		relays.push(relay);
		expect(relay.redis).toBeUndefined();
		const alice = await connect(relay.url);
		const bob = await connect(relay.url);
		await subscribe(alice, 'room');
		await subscribe(bob, 'room');
		alice.send({ type: 'publish', topic: 'room', data: 'here' });
		expect((await nextPublish(bob)).data).toBe('here');
		expect(await redisChannels()).toEqual([]);
	});
});
