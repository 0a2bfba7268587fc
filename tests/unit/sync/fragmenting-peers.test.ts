/**
 * The fragmenting layer on stand-ins for simple-peer instances, in Node: a wire that drops any
 * message over 256 KiB as Chromium does, a channel whose buffer fills and drains. The real
 * thing, with y-webrtc and two browsers, is webrtc.test.ts.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { setIfUndefined } from 'lib0/map';
import type { WebrtcProvider } from 'y-webrtc';
import { fragmentConnection, fragmentProviderTraffic } from '$lib/sync/fragmenting-peers';

const BROWSER_LIMIT = 256 * 1024;

class FakeChannel extends EventTarget {
	readyState: RTCDataChannelState = 'open';
	bufferedAmount = 0;
}

/** Enough of simple-peer: send() goes on the wire, 'data' events come off it. */
class FakePeer extends EventEmitter {
	destroyed = false;
	_channel = new FakeChannel();
	wire: Uint8Array[] = [];
	#buffered: Uint8Array[] = [];
	other?: FakePeer;
	/** While true, frames stay in the channel buffer instead of leaving. */
	congested = false;

	get bufferSize(): number {
		return this._channel.bufferedAmount;
	}

	send(data: Uint8Array): void {
		if (this._channel.readyState !== 'open') throw new Error('InvalidStateError');
		if (data.length > BROWSER_LIMIT) return; // dropped without a word, like Chromium
		this.wire.push(data);
		if (this.congested) {
			this._channel.bufferedAmount += data.length;
			this.#buffered.push(data);
		} else queueMicrotask(() => this.other?.emit('data', Buffer.from(data)));
	}

	/** Lets the buffered frames go, as the network would. */
	drain(): void {
		this.congested = false;
		this._channel.bufferedAmount = 0;
		for (const frame of this.#buffered.splice(0))
			queueMicrotask(() => this.other?.emit('data', Buffer.from(frame)));
		this._channel.dispatchEvent(new Event('bufferedamountlow'));
	}
}

function linkedPair(): [FakePeer, FakePeer] {
	const a = new FakePeer();
	const b = new FakePeer();
	a.other = b;
	b.other = a;
	return [a, b];
}

/** y-webrtc adds its 'data' listener in the WebrtcConn constructor, before we patch. */
function listen(peer: FakePeer): Uint8Array[] {
	const received: Uint8Array[] = [];
	peer.on('data', (data: Uint8Array) => received.push(data));
	return received;
}

function bytes(length: number, seed: number): Uint8Array {
	return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('fragmenting y-webrtc connections', () => {
	it('control: a 1 MB message on the unpatched wire never arrives', async () => {
		const [a, b] = linkedPair();
		const received = listen(b);
		a.send(bytes(1024 * 1024, 1));
		await settle();
		expect(received).toEqual([]);
	});

	it('delivers a 1 MB message whole, in frames of at most 64 KiB, in order with small ones', async () => {
		const [a, b] = linkedPair();
		const received = listen(b);
		const outgoing: number[] = [];
		fragmentConnection(
			{ peer: a, remotePeerId: 'b' },
			{ tap: { outgoing: (f) => outgoing.push(f.length) } }
		);
		fragmentConnection({ peer: b, remotePeerId: 'a' });
		const big = bytes(1024 * 1024, 2);
		a.send(bytes(10, 3));
		a.send(big);
		a.send(bytes(20, 4));
		await settle();
		expect(received.map((m) => m.length)).toEqual([10, 1024 * 1024, 20]);
		expect(Buffer.from(received[1]).equals(Buffer.from(big))).toBe(true);
		expect(Math.max(...outgoing)).toBeLessThanOrEqual(64 * 1024);
		expect(a.wire.every((frame) => frame.length <= 64 * 1024)).toBe(true);
	});

	it('holds frames while the channel buffer is full and resumes when it drains', async () => {
		const [a, b] = linkedPair();
		const received = listen(b);
		fragmentConnection({ peer: a, remotePeerId: 'b' });
		fragmentConnection({ peer: b, remotePeerId: 'a' });
		a.congested = true;
		a.send(bytes(5 * 1024 * 1024, 5));
		await settle();
		// Sending stopped once a little over 1 MiB waited in the buffer.
		expect(a.bufferSize).toBeGreaterThan(1024 * 1024);
		expect(a.bufferSize).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
		for (let round = 0; round < 10 && received.length === 0; round++) {
			a.drain();
			a.congested = true;
			await settle();
		}
		a.drain();
		await settle();
		expect(received.map((m) => m.length)).toEqual([5 * 1024 * 1024]);
	});

	it('does not send an update back to the peer it came from, but still replies and relays', async () => {
		const [a, b] = linkedPair();
		const [c, d] = linkedPair(); // b's link to a third peer
		const receivedByA = listen(a);
		const receivedByD = listen(d);
		const echoed: number[] = [];
		// What y-webrtc does with an incoming update: apply it, broadcast it to every peer;
		// with a sync step 1 it answers step 2 to the sender.
		b.on('data', (data: Uint8Array) => {
			if (data[0] === 0 && data[1] === 2) {
				b.send(data);
				c.send(data);
			} else if (data[0] === 0 && data[1] === 0) b.send(Uint8Array.of(0, 1, 9));
		});
		fragmentConnection({ peer: a, remotePeerId: 'b' });
		fragmentConnection(
			{ peer: b, remotePeerId: 'a' },
			{ tap: { echoSuppressed: (n) => echoed.push(n) } }
		);
		fragmentConnection({ peer: c, remotePeerId: 'd' });
		fragmentConnection({ peer: d, remotePeerId: 'c' });
		a.send(Uint8Array.of(0, 2, 1, 2, 3));
		a.send(Uint8Array.of(0, 0, 7));
		await settle();
		expect(echoed).toEqual([5]);
		expect(receivedByA.map((m) => Array.from(m))).toEqual([[0, 1, 9]]);
		expect(receivedByD.map((m) => Array.from(m))).toEqual([[0, 2, 1, 2, 3]]);
		// An update b makes itself still reaches a.
		b.send(Uint8Array.of(0, 2, 4));
		await settle();
		expect(receivedByA.map((m) => Array.from(m))).toEqual([
			[0, 1, 9],
			[0, 2, 4]
		]);
	});

	it('queues messages while the channel opens, drops them once it has closed', async () => {
		const [a, b] = linkedPair();
		const received = listen(b);
		const dropped: number[] = [];
		fragmentConnection(
			{ peer: a, remotePeerId: 'b' },
			{ tap: { dropped: (n) => dropped.push(n) } }
		);
		fragmentConnection({ peer: b, remotePeerId: 'a' });
		a._channel.readyState = 'connecting';
		a.send(bytes(100, 6));
		await settle();
		expect(received).toEqual([]);
		a._channel.readyState = 'open';
		await new Promise((resolve) => setTimeout(resolve, 120));
		expect(received.map((m) => m.length)).toEqual([100]);

		a._channel.readyState = 'closed';
		a.send(bytes(300, 7));
		await settle();
		expect(received).toHaveLength(1);
		expect(dropped).toEqual([300]);
	});

	it('patches every connection a provider adds to its room, as y-webrtc adds them', async () => {
		const conns = new Map<string, { peer: FakePeer; remotePeerId: string }>();
		const provider = { key: Promise.resolve(null), room: { webrtcConns: conns } };
		await fragmentProviderTraffic(provider as unknown as WebrtcProvider);
		const [a, b] = linkedPair();
		const received = listen(b);
		// y-webrtc creates connections through lib0's setIfUndefined.
		setIfUndefined(conns, 'b', () => ({ peer: a, remotePeerId: 'b' }));
		setIfUndefined(conns, 'a', () => ({ peer: b, remotePeerId: 'a' }));
		a.send(bytes(700 * 1024, 8));
		await settle();
		expect(received.map((m) => m.length)).toEqual([700 * 1024]);
	});
});
