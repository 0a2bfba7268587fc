// The clients of the relay bench (bench/06-relay.bench.js), in a process of their own so their
// memory is not counted as the relay's. Driven over the IPC channel: one request, one answer.
//   { task: 'idle', url, count, rooms? }    open `count` connections (in rooms of two if asked),
//                                           a ping round trip on each,
//                                           then hold them until { task: 'close' }
//   { task: 'latency', url, receiverUrl?, rooms, rounds, bytes }
//                                           two members per room (the receiver on receiverUrl,
//                                           another relay instance, if given); every room
//                                           publishes once a second, staggered, for `rounds`
//                                           seconds; answers each publish -> receive time, in ms
//   { task: 'flood', url, publishers, seconds, perSecond, bytes }
//                                           one member that never reads, one that does, and
//                                           publishers sending to their room at `perSecond`
import { WebSocket } from 'ws';

/** @type {WebSocket[]} */
let held = [];

/** @param {string} url @returns {Promise<WebSocket>} */
function open(url) {
	return new Promise((resolve, reject) => {
		const socket = new WebSocket(url, { perMessageDeflate: false });
		socket.once('open', () => resolve(socket));
		socket.once('error', reject);
	});
}

/** Resolves on the next pong for this socket (pongs are the only other thing these clients get). */
function pingPong(socket) {
	return new Promise((resolve, reject) => {
		if (socket.readyState !== WebSocket.OPEN) return reject(new Error('not open'));
		const onMessage = (data) => {
			if (JSON.parse(data.toString()).type !== 'pong') return;
			socket.off('message', onMessage);
			resolve(undefined);
		};
		socket.on('message', onMessage);
		socket.once('close', (code) => reject(new Error(`closed ${code}`)));
		socket.send('{"type":"ping"}');
	});
}

/** Opens `count` connections, `parallel` at a time. */
async function openMany(url, count, parallel = 250) {
	const sockets = [];
	for (let start = 0; start < count; start += parallel) {
		const batch = await Promise.all(
			Array.from({ length: Math.min(parallel, count - start) }, () => open(url))
		);
		for (const socket of batch) socket.on('error', () => {});
		sockets.push(...batch);
	}
	return sockets;
}

async function idle({ url, count, rooms = false }) {
	const started = performance.now();
	held = await openMany(url, count);
	const opened = performance.now() - started;
	let pongs = 0;
	for (let start = 0; start < held.length; start += 1000) {
		const batch = held.slice(start, start + 1000);
		// In rooms of two, as devices of one vault: the pong comes after the subscribe.
		if (rooms) {
			batch.forEach((socket, i) =>
				socket.send(JSON.stringify({ type: 'subscribe', topics: [`idle-${(start + i) >> 1}`] }))
			);
		}
		const answers = await Promise.allSettled(batch.map(pingPong));
		pongs += answers.filter((answer) => answer.status === 'fulfilled').length;
	}
	return { opened: held.length, pongs, openMs: opened };
}

async function latency({ url, receiverUrl = url, rooms, rounds, bytes }) {
	const senders = await openMany(url, rooms);
	const receivers = await openMany(receiverUrl, rooms);
	held = senders.flatMap((sender, room) => [sender, receivers[room]]);
	const filler = 'x'.repeat(bytes);
	const samples = [];
	/** Rooms whose receiver got a warm-up probe. */
	const warm = new Set();
	for (let room = 0; room < rooms; room++) {
		const receiver = held[2 * room + 1];
		receiver.on('message', (data) => {
			const message = JSON.parse(data.toString());
			if (message.type !== 'publish') return;
			if (message.data.probe) warm.add(room);
			else samples.push(performance.now() - message.data.at);
		});
	}
	// Subscribed everywhere (the pong comes after the subscribe) before the first publish.
	for (let start = 0; start < held.length; start += 1000) {
		await Promise.all(
			held.slice(start, start + 1000).map((socket, i) => {
				socket.send(JSON.stringify({ type: 'subscribe', topics: [`room-${(start + i) >> 1}`] }));
				return pingPong(socket);
			})
		);
	}
	// Across instances, the receiver's instance subscribes in Redis after its pong: probe every
	// room until its receiver hears it, so no measured publish is lost to a subscription on its way.
	if (receiverUrl !== url) {
		while (warm.size < rooms) {
			for (let room = 0; room < rooms; room++) {
				if (warm.has(room)) continue;
				const probe = { type: 'publish', topic: `room-${room}`, data: { probe: true } };
				held[2 * room].send(JSON.stringify(probe));
			}
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}
	const expected = rooms * rounds;
	const ticksPerSecond = 100;
	const perTick = Math.ceil(rooms / ticksPerSecond);
	let sent = 0;
	await new Promise((resolve) => {
		const timer = setInterval(() => {
			for (let i = 0; i < perTick && sent < expected; i++, sent++) {
				const room = sent % rooms;
				held[2 * room].send(
					JSON.stringify({
						type: 'publish',
						topic: `room-${room}`,
						data: { at: performance.now(), filler }
					})
				);
			}
			if (sent >= expected) {
				clearInterval(timer);
				resolve(undefined);
			}
		}, 1000 / ticksPerSecond);
	});
	while (samples.length < expected) await new Promise((resolve) => setTimeout(resolve, 50));
	return { samples };
}

async function flood({ url, publishers, seconds, perSecond, bytes }) {
	const [slow, active, ...senders] = await openMany(url, 2 + publishers);
	const subscribed = [slow, active].map((socket) => {
		socket.send(JSON.stringify({ type: 'subscribe', topics: ['flood'] }));
		return pingPong(socket);
	});
	await Promise.all(subscribed);
	let slowClose;
	let slowBytes = 0;
	slow.on('message', (data) => (slowBytes += data.length));
	slow.on('close', (code, reason) => (slowClose = { code, reason: reason.toString() }));
	slow.pause();

	let received = 0;
	let receivedBytes = 0;
	let activeClose;
	active.on('message', (data) => {
		received++;
		receivedBytes += data.length;
	});
	active.on('close', (code) => (activeClose = code));
	const publisherCloses = [];
	for (const sender of senders) sender.on('close', (code) => publisherCloses.push(code));

	const message = JSON.stringify({ type: 'publish', topic: 'flood', data: 'x'.repeat(bytes) });
	// Small steps, so the reading member's queue never holds a whole step's burst at once.
	const ticksPerSecond = 20;
	let sent = 0;
	const startedAt = Date.now();
	await new Promise((resolve) => {
		let ticks = 0;
		const timer = setInterval(() => {
			for (const sender of senders) {
				if (sender.readyState !== WebSocket.OPEN) continue;
				for (let i = 0; i < perSecond / ticksPerSecond; i++) {
					sender.send(message);
					sent++;
				}
			}
			if (++ticks >= seconds * ticksPerSecond) {
				clearInterval(timer);
				resolve(undefined);
			}
		}, 1000 / ticksPerSecond);
	});
	const endedAt = Date.now();
	// Wait until everything the relay forwarded has reached the active member: a ping round
	// trip on each publisher orders it after its last publish, then one on the active member
	// after everything forwarded to it.
	await Promise.allSettled(senders.filter((s) => s.readyState === WebSocket.OPEN).map(pingPong));
	if (
		await pingPong(active).then(
			() => true,
			() => false
		)
	) {
		received--; // the pong
	}
	slow.resume();
	await new Promise((resolve) => (slowClose ? resolve(undefined) : slow.once('close', resolve)));
	return {
		startedAt,
		endedAt,
		sent,
		sentBytes: sent * message.length,
		received,
		receivedBytes,
		slowBytes,
		slowClose,
		activeClose,
		publisherCloses
	};
}

const tasks = { idle, latency, flood };

process.on('message', async (request) => {
	if (request.task === 'close') {
		for (const socket of held) socket.terminate();
		held = [];
		process.send({ done: true });
		return;
	}
	try {
		process.send(await tasks[request.task](request));
	} catch (error) {
		process.send({ error: String(error?.stack ?? error) });
	}
});
