/**
 * Two relay instances sharing rooms through one redis-server, as deployed behind a load balancer
 * (deploy/): the spec starts redis-server (Debian's, on a free port, no persistence) and two
 * relays with REDIS_URL, and drives separate Chromium instances through the UI.
 *
 *   1. Phone A uses instance one, Tablet B instance two: they pair through the link and an edit
 *      on A shows on B (every signaling message between them crossed Redis).
 *   2. Redis is killed: each instance keeps serving its own members. Laptop C, on instance one
 *      like A, pairs with A and syncs while Redis is down; raw clients on instance two still
 *      meet there; nothing crosses between the instances.
 *   3. Redis comes back (empty, as after a crash): the instances reconnect and subscribe again.
 *      B reopens the app (new signaling through Redis) and receives C's edit, made meanwhile.
 *
 * The tests run in order and share the devices.
 */
import { expect, test } from '@playwright/test';
import { createRequire } from 'node:module';
import { startRelay, type RunningRelay } from '../../scripts/relay.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';
import {
	createVaultOn,
	launch,
	pair,
	reopen,
	row,
	setEmail,
	STEP_MS,
	tab,
	type Device
} from './relay-helpers';

const MARKER = 'zqredis5b1e';
const email = (tag: string) => `${MARKER}.${tag}@example.org`;
/** A whole test: several steps in a row (a bound for a hung run, not an expected duration). */
const TEST_MS = 10 * 60_000;

let redis: RedisServer;
let one: RunningRelay;
let two: RunningRelay;
const all: Device[] = [];
let a: Device;
let b: Device;

/** Two ws clients on one instance meet in a fresh room; resolves once the publish arrived. */
async function instanceServesItsOwn(relay: RunningRelay) {
	const { WebSocket } = createRequire(import.meta.url)('ws');
	const topic = `probe-${Math.random().toString(36).slice(2)}`;
	const open = () =>
		new Promise<InstanceType<typeof WebSocket>>((resolve, reject) => {
			const socket = new WebSocket(relay.url);
			socket.once('open', () => resolve(socket));
			socket.once('error', reject);
		});
	const [sender, receiver] = [await open(), await open()];
	try {
		const received = new Promise<string>((resolve) =>
			receiver.on('message', (data: Buffer) => {
				const message = JSON.parse(data.toString());
				if (message.type === 'publish') resolve(message.data);
				if (message.type === 'pong') {
					sender.send(JSON.stringify({ type: 'publish', topic, data: 'local' }));
				}
			})
		);
		sender.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
		receiver.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
		receiver.send(JSON.stringify({ type: 'ping' })); // its pong: subscribed, then publish
		expect(await received).toBe('local');
	} finally {
		sender.terminate();
		receiver.terminate();
	}
}

test.describe.configure({ mode: 'serial' });

test.describe('two relay instances sharing rooms through Redis', () => {
	test.beforeAll(async () => {
		redis = await startRedisServer();
		one = await startRelay({ port: 0, redisUrl: redis.url });
		two = await startRelay({ port: 0, redisUrl: redis.url });
		await expect.poll(() => one.redis!.isConnected() && two.redis!.isConnected()).toBe(true);
		a = await launch('A', { marker: MARKER });
		b = await launch('B', { marker: MARKER });
		all.push(a, b);
	});

	test.afterAll(async () => {
		for (const device of all) await device.browser.close();
		await one?.close();
		await two?.close();
		await redis?.stop();
	});

	test('devices on different instances pair and sync through Redis', async () => {
		test.setTimeout(TEST_MS);
		await createVaultOn(a, one.url);
		await setEmail(a.page, email('one'));
		await pair(a, b, two.url, 'Tablet B');
		await expect(row(b.page, 'email')).toContainText(email('one'), { timeout: STEP_MS });

		await setEmail(a.page, email('two'));
		await expect(row(b.page, 'email')).toContainText(email('two'), { timeout: STEP_MS });
		// Each device was connected to its own instance only, and both rooms crossed Redis.
		expect(one.redis!.subscribedTopics().length).toBeGreaterThan(0);
		expect(two.redis!.subscribedTopics().length).toBeGreaterThan(0);
		expect(a.tap.frames).toBeGreaterThan(0);
		expect(a.tap.markerHits + b.tap.markerHits).toBe(0);
	});

	test('with Redis down, each instance keeps serving its own members; nothing crosses', async () => {
		test.setTimeout(TEST_MS);
		// B leaves first: what it gets later can only come through a new meeting across Redis.
		await b.page.close();
		await redis.kill();
		await expect
			.poll(() => one.redis!.isConnected() || two.redis!.isConnected(), { timeout: STEP_MS })
			.toBe(false);

		// C joins on instance one, like A: pairing and sync need only that instance.
		const c = await launch('C', { marker: MARKER });
		all.push(c);
		await pair(a, c, one.url, 'Laptop C');
		await expect(row(c.page, 'email')).toContainText(email('two'), { timeout: STEP_MS });
		await setEmail(c.page, email('from-c'));
		await tab(a.page, 'Papers');
		await expect(row(a.page, 'email')).toContainText(email('from-c'), { timeout: STEP_MS });

		// Instance two serves its own members too.
		await instanceServesItsOwn(two);
		// What was published meanwhile was dropped, not queued for later.
		expect(one.redis!.dropped()).toBeGreaterThan(0);
		expect(c.tap.markerHits).toBe(0);
	});

	test('once Redis is back, the instances share rooms again: B, on instance two, gets C’s edit', async () => {
		test.setTimeout(TEST_MS);
		// B was closed before Redis went down, so C's edit can reach it only through a meeting
		// across the instances, once Redis is back.
		await redis.restart();
		await expect
			.poll(() => one.redis!.isConnected() && two.redis!.isConnected(), { timeout: STEP_MS })
			.toBe(true);
		const bPage = await reopen(b);
		await expect(row(bPage, 'email')).toContainText(email('from-c'), { timeout: STEP_MS });
		await tab(bPage, 'Devices');
		await expect(bPage.getByTestId('device-row')).toHaveCount(3, { timeout: STEP_MS });
		// And an edit on B, through instance two and Redis, reaches C on instance one.
		await setEmail(bPage, email('from-b'));
		const c = all.find((device) => device.name === 'C')!;
		await expect(row(c.page, 'email')).toContainText(email('from-b'), { timeout: STEP_MS });
		for (const device of all) expect(device.tap.markerHits).toBe(0);
	});
});
