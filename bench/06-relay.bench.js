// Relay figures (issue 9). The relay runs as deployed (`node scripts/relay.js`, default limits
// except the connections per address, raised because every bench client comes from 127.0.0.1)
// in its own process, a fresh one per figure; its clients run in another process
// (bench/relay-clients.js) so their memory is not counted. Memory is the relay's RSS.
//   - idle connections held: 10,000 opened, each answers a ping; RSS and RSS per connection;
//   - publish -> receive latency, 1,000 rooms of two members, each room publishing 1 KiB once
//     a second (staggered) for 5 s: p50 and p99 of the 5,000 deliveries; through one in-memory
//     instance (the anchor), then with a redis-server (Debian's, started here, no persistence):
//     both members on one instance with REDIS_URL, and each member on its own instance;
//   - a member that never reads, flooded: 4 publishers at 60 messages of 60 KiB a second (under
//     the rate limit; 14 MiB/s, which the reading member keeps up with on a busy machine) for
//     8 s into its room; RSS before, at its peak while flooded (sampled every 50 ms), and after.
import { fork, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';

const IDLE_CONNECTIONS = 10_000;
const ROOMS = 1_000;
const ROUNDS = 5;
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const REDIS_SERVER = '/usr/bin/redis-server';

/** A redis-server on a free loopback port, nothing saved; resolves once it accepts connections. */
async function startRedis() {
	const port = await new Promise((resolve) => {
		const probe = net.createServer().listen(0, '127.0.0.1', () => {
			const { port } = probe.address();
			probe.close(() => resolve(port));
		});
	});
	const child = spawn(
		REDIS_SERVER,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
		{ stdio: ['ignore', 'pipe', 'pipe'] }
	);
	let output = '';
	await new Promise((resolve, reject) => {
		child.stdout.on('data', (chunk) => {
			output += chunk;
			if (output.includes('Ready to accept connections')) resolve(undefined);
		});
		child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
	});
	return {
		url: `redis://127.0.0.1:${port}`,
		stop: () =>
			new Promise((done) => {
				child.once('exit', done);
				child.kill('SIGKILL');
			})
	};
}

/** A relay process; resolves once it listens (and, with REDIS_URL, once Redis is connected). */
function startRelayProcess(env = {}) {
	const child = spawn(process.execPath, ['scripts/relay.js'], {
		env: {
			...process.env,
			HOST: '127.0.0.1',
			PORT: '0',
			RELAY_MAX_CONNECTIONS_PER_ADDRESS: '20000',
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	return new Promise((resolve, reject) => {
		const read = (chunk) => {
			output += chunk;
			const match = /listening on (ws:\/\/\S+)/.exec(output);
			if (!match) return;
			if (env.REDIS_URL && !output.includes('Redis connected (subscribe)')) return;
			child.stdout.off('data', read);
			resolve({
				url: match[1],
				rss: () =>
					Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) *
					1024,
				stop: () =>
					new Promise((done) => {
						child.once('exit', done);
						child.kill('SIGKILL');
					})
			});
		};
		child.stdout.on('data', read);
		child.stderr.on('data', read);
		child.once('exit', (code) => reject(new Error(`relay exited (${code}): ${output}`)));
	});
}

/** The clients' process, and a way to ask it one thing at a time. */
function startClients() {
	const child = fork('bench/relay-clients.js', { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	return {
		ask: (request) =>
			new Promise((resolve, reject) => {
				child.once('message', (answer) =>
					answer.error ? reject(new Error(answer.error)) : resolve(answer)
				);
				child.send(request);
			}),
		stop: () =>
			new Promise((done) => {
				child.once('exit', done);
				child.kill('SIGKILL');
			})
	};
}

/** Runs `task` against a fresh relay and client process, stopping both whatever happens. */
async function withRelay(task) {
	return withRelays(1, {}, (relays, clients) => task(relays[0], clients));
}

/** The same with `count` relay instances, started with `env`. */
async function withRelays(count, env, task) {
	const relays = [];
	const clients = startClients();
	try {
		for (let i = 0; i < count; i++) relays.push(await startRelayProcess(env));
		return await task(relays, clients);
	} finally {
		await clients.stop();
		for (const relay of relays) await relay.stop();
	}
}

/** The latency row of one setup: publishers on `url`, receivers on `receiverUrl`. */
async function latencyRow(clients, figure, url, receiverUrl, anchor = '') {
	const { samples } = await clients.ask({
		task: 'latency',
		url,
		receiverUrl,
		rooms: ROOMS,
		rounds: ROUNDS,
		bytes: 1024
	});
	const sorted = samples.sort((a, b) => a - b);
	return {
		figure,
		value: `p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`,
		anchor: `${sorted.length.toLocaleString('en')} publishes of 1 KiB, ${ROOMS.toLocaleString('en')} a second for ${ROUNDS} s; max ${sorted.at(-1).toFixed(1)} ms${anchor}`
	};
}

function percentile(sorted, p) {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

export async function run() {
	const rows = [];

	await withRelay(async (relay, clients) => {
		await settle();
		const before = relay.rss();
		const { opened, pongs, openMs } = await clients.ask({
			task: 'idle',
			url: relay.url,
			count: IDLE_CONNECTIONS
		});
		await settle();
		const held = relay.rss();
		rows.push({
			figure: 'Relay: idle connections held',
			value: `${pongs.toLocaleString('en')} answering, RSS ${mib(held)}`,
			anchor: `${opened.toLocaleString('en')} opened in ${(openMs / 1000).toFixed(1)} s; RSS ${mib(before)} before; target: 10,000 under 300 MiB`
		});
		rows.push({
			figure: 'Relay: memory per idle connection',
			value: `${((held - before) / opened / 1024).toFixed(1)} KiB`,
			anchor: '(RSS held - RSS before) / connections'
		});
	});

	// The same connections in rooms of two, as devices are: each room is a topic the relay keeps,
	// and with REDIS_URL a channel it subscribes to in Redis.
	const inRooms = async (env, label) =>
		withRelays(1, env, async ([relay], clients) => {
			await settle();
			const before = relay.rss();
			const { opened, pongs } = await clients.ask({
				task: 'idle',
				url: relay.url,
				count: IDLE_CONNECTIONS,
				rooms: true
			});
			await settle();
			const held = relay.rss();
			return {
				figure: `Relay${label}: ${IDLE_CONNECTIONS.toLocaleString('en')} connections in rooms of 2`,
				value: `${((held - before) / opened / 1024).toFixed(1)} KiB per connection, RSS ${mib(held)}`,
				anchor: `${pongs.toLocaleString('en')} answering after subscribing; RSS ${mib(before)} before`
			};
		});
	rows.push(await inRooms({}, ''));

	const rooms = `${ROOMS.toLocaleString('en')} rooms of 2`;
	const inMemory = await withRelay(async (relay, clients) =>
		latencyRow(clients, `Relay: publish -> receive, ${rooms}`, relay.url, relay.url)
	);
	rows.push(inMemory);
	if (existsSync(REDIS_SERVER)) {
		const redis = await startRedis();
		try {
			const env = { REDIS_URL: redis.url };
			rows.push(await inRooms(env, ' + Redis'));
			const anchor = `; anchor: one in-memory instance ${inMemory.value}`;
			rows.push(
				await withRelays(1, env, (relays, clients) =>
					latencyRow(
						clients,
						`Relay + Redis: publish -> receive, one instance, ${rooms}`,
						relays[0].url,
						relays[0].url,
						anchor
					)
				)
			);
			rows.push(
				await withRelays(2, env, (relays, clients) =>
					latencyRow(
						clients,
						`Relay + Redis: publish -> receive, across two instances, ${rooms}`,
						relays[0].url,
						relays[1].url,
						anchor
					)
				)
			);
		} finally {
			await redis.stop();
		}
	} else {
		rows.push({
			figure: 'Relay + Redis: publish -> receive',
			value: 'not measured',
			anchor: `${REDIS_SERVER} is not installed (apt-get install redis-server)`
		});
	}

	await withRelay(async (relay, clients) => {
		await settle();
		const before = relay.rss();
		const samples = [];
		const sampler = setInterval(() => samples.push({ at: Date.now(), rss: relay.rss() }), 50);
		const flood = await clients
			.ask({
				task: 'flood',
				url: relay.url,
				publishers: 4,
				seconds: 8,
				perSecond: 60,
				bytes: 60 * 1024
			})
			.finally(() => clearInterval(sampler));
		const after = relay.rss();
		// Flat means the second half of the flood needs no more than the first.
		const middle = (flood.startedAt + flood.endedAt) / 2;
		const peakOf = (list) => Math.max(before, ...list.map((sample) => sample.rss));
		const peak = peakOf(samples);
		const firstHalf = peakOf(samples.filter((s) => s.at >= flood.startedAt && s.at < middle));
		const secondHalf = peakOf(samples.filter((s) => s.at >= middle && s.at <= flood.endedAt));
		const closed = flood.slowClose
			? `closed (code ${flood.slowClose.code}${flood.slowClose.reason ? `, "${flood.slowClose.reason}"` : ''})`
			: 'not closed';
		rows.push({
			figure: 'Relay: RSS while a reader that never reads is flooded',
			value: `${mib(before)} -> peak ${mib(peak)}, ${mib(after)} after`,
			anchor: `peak ${mib(firstHalf)} in the first half, ${mib(secondHalf)} in the second; ${mib(flood.sentBytes)} published, ${mib(flood.receivedBytes)} received by the reading member; the other got ${mib(flood.slowBytes)}, ${closed}; reading member ${flood.activeClose ? `closed (${flood.activeClose})` : 'open'}; publishers closed: ${flood.publisherCloses.length}; target: flat`
		});
	});

	return rows;
}
