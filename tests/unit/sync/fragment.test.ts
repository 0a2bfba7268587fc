import { describe, expect, it } from 'vitest';
import {
	createFragmenter,
	createReassembler,
	DEFAULT_MAX_FRAME_BYTES,
	FRAME_HEADER_BYTES,
	type FrameRejection
} from '$lib/sync/fragment';

const KIB = 1024;

/** Bytes that differ from position to position, so a misplaced frame changes the result. */
function patternBytes(length: number, seed = 7): Uint8Array {
	const out = new Uint8Array(length);
	let state = seed;
	for (let i = 0; i < length; i++) {
		state = (state * 1103515245 + 12345) >>> 0;
		out[i] = state >>> 24;
	}
	return out;
}

function roundTrip(message: Uint8Array): { frames: Uint8Array[]; delivered: Uint8Array[] } {
	const frames = [...createFragmenter().split(message)];
	const reassembler = createReassembler();
	const delivered: Uint8Array[] = [];
	for (const frame of frames) {
		const whole = reassembler.accept(frame);
		if (whole) delivered.push(whole);
	}
	return { frames, delivered };
}

describe('fragmentation codec', () => {
	it.each([
		['empty', 0],
		['one byte', 1],
		['exactly 64 KiB', 64 * KIB],
		['one payload exactly', DEFAULT_MAX_FRAME_BYTES - FRAME_HEADER_BYTES],
		['one payload and a byte', DEFAULT_MAX_FRAME_BYTES - FRAME_HEADER_BYTES + 1],
		['20 MB', 20 * 1000 * 1000]
	])('round-trips a %s message in frames of at most 64 KiB', (_label, size) => {
		const message = patternBytes(size);
		const { frames, delivered } = roundTrip(message);
		expect(delivered).toHaveLength(1);
		expect(delivered[0].length).toBe(size);
		expect(Buffer.from(delivered[0]).equals(Buffer.from(message))).toBe(true);
		for (const frame of frames) expect(frame.length).toBeLessThanOrEqual(64 * KIB);
		const payloadBytes = DEFAULT_MAX_FRAME_BYTES - FRAME_HEADER_BYTES;
		expect(frames.length).toBe(Math.max(1, Math.ceil(size / payloadBytes)));
	});

	it('delivers a message only with its last frame, not before', () => {
		const frames = [...createFragmenter().split(patternBytes(200 * KIB))];
		const reassembler = createReassembler();
		expect(frames.length).toBe(4);
		for (const frame of frames.slice(0, -1)) expect(reassembler.accept(frame)).toBeNull();
		expect(reassembler.pendingMessages).toBe(1);
		expect(reassembler.accept(frames.at(-1)!)?.length).toBe(200 * KIB);
		expect(reassembler.pendingMessages).toBe(0);
	});

	it('reassembles interleaved messages from two sources, each whole and unmixed', () => {
		// Both senders start at message id 0, so only the source tells their frames apart.
		const alice = createFragmenter({ maxFrameBytes: 1000 });
		const bob = createFragmenter({ maxFrameBytes: 1000 });
		const aliceMessages = [patternBytes(5000, 1), patternBytes(0, 2), patternBytes(2500, 3)];
		const bobMessages = [patternBytes(4000, 4), patternBytes(999, 5)];
		const aliceFrames = aliceMessages.flatMap((m) => [...alice.split(m)]);
		const bobFrames = bobMessages.flatMap((m) => [...bob.split(m)]);
		const reassembler = createReassembler();
		const received = { alice: [] as Uint8Array[], bob: [] as Uint8Array[] };
		for (let i = 0; i < Math.max(aliceFrames.length, bobFrames.length); i++) {
			if (i < aliceFrames.length) {
				const whole = reassembler.accept(aliceFrames[i], 'alice');
				if (whole) received.alice.push(whole);
			}
			if (i < bobFrames.length) {
				const whole = reassembler.accept(bobFrames[i], 'bob');
				if (whole) received.bob.push(whole);
			}
		}
		expect(received.alice.map((m) => Buffer.from(m).toString('hex'))).toEqual(
			aliceMessages.map((m) => Buffer.from(m).toString('hex'))
		);
		expect(received.bob.map((m) => Buffer.from(m).toString('hex'))).toEqual(
			bobMessages.map((m) => Buffer.from(m).toString('hex'))
		);
	});

	it('reassembles messages whose frames interleave within one source', () => {
		const sender = createFragmenter({ maxFrameBytes: 100 });
		const first = [...sender.split(patternBytes(400, 8))];
		const second = [...sender.split(patternBytes(300, 9))];
		const reassembler = createReassembler({ sequentialSources: false });
		const order = [first[0], second[0], second[1], first[1], first[2], second[2], second[3]];
		const rest = [...first.slice(3), ...second.slice(4)];
		const delivered = [...order, ...rest]
			.map((frame) => reassembler.accept(frame, 'peer'))
			.filter((m): m is Uint8Array => m !== null);
		expect(delivered.map((m) => m.length).sort()).toEqual([300, 400]);
	});

	it('never delivers a message that lost a frame, and later messages still arrive intact', () => {
		const sender = createFragmenter({ maxFrameBytes: 1000 });
		const damaged = [...sender.split(patternBytes(10_000, 11))];
		const intact = patternBytes(3000, 12);
		const after = [...sender.split(intact)];
		const rejections: FrameRejection[] = [];
		const reassembler = createReassembler({
			sequentialSources: true,
			onReject: (reason) => rejections.push(reason)
		});
		const delivered: Uint8Array[] = [];
		for (const frame of [...damaged.slice(0, 4), ...damaged.slice(5), ...after]) {
			const whole = reassembler.accept(frame, 'peer');
			if (whole) delivered.push(whole);
		}
		expect(delivered).toHaveLength(1);
		expect(Buffer.from(delivered[0]).equals(Buffer.from(intact))).toBe(true);
		expect(rejections).toEqual(['evicted']);
		expect(reassembler.pendingMessages).toBe(0);
	});

	it('keeps at most maxPendingMessages incomplete messages when frames may interleave', () => {
		const sender = createFragmenter({ maxFrameBytes: 100 });
		const reassembler = createReassembler({ maxPendingMessages: 3 });
		for (let i = 0; i < 10; i++) {
			const [firstFrame] = sender.split(patternBytes(500, i));
			expect(reassembler.accept(firstFrame, 'peer')).toBeNull();
		}
		expect(reassembler.pendingMessages).toBe(3);
	});

	it('refuses frames that are not frames, and messages larger than allowed', () => {
		const rejections: FrameRejection[] = [];
		const reassembler = createReassembler({
			maxMessageBytes: 1500,
			onReject: (reason) => rejections.push(reason)
		});
		expect(reassembler.accept(new Uint8Array([0, 1, 2]))).toBeNull();
		expect(reassembler.accept(patternBytes(40))).toBeNull();
		const frames = [...createFragmenter({ maxFrameBytes: 1000 }).split(patternBytes(2000))];
		expect(frames.map((f) => reassembler.accept(f))).toEqual([null, null, null]);
		const forged = frames[0].slice();
		new DataView(forged.buffer).setUint32(5, 9); // index beyond the count
		expect(reassembler.accept(forged)).toBeNull();
		expect(rejections).toContain('not-a-frame');
		expect(rejections).toContain('message-too-large');
		expect(rejections).toContain('bad-index');
	});

	it('refuses a frame size above the browsers’ limit', () => {
		expect(() => createFragmenter({ maxFrameBytes: 300 * KIB })).toThrow(RangeError);
		expect(() => createFragmenter({ maxFrameBytes: FRAME_HEADER_BYTES })).toThrow(RangeError);
	});
});
