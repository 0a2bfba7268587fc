/**
 * Splits data-channel messages into frames of at most 64 KiB and puts them back together.
 *
 * Why: y-webrtc 10.3 sends a whole sync state as one data-channel message, and browsers drop
 * any message over 256 KiB without an error (y-webrtc issues #20, #42, #61), so a vault with
 * scans would never reach a new device. Every message we send goes through here, small or not.
 *
 * Frame layout (big-endian):
 *   [0]      FRAME_MARK (0xfb), so a stray unframed message is recognised and refused
 *   [1..4]   message id, a per-sender counter
 *   [5..8]   index of this frame within the message
 *   [9..12]  number of frames in the message (at least 1, even for an empty message)
 *   [13..]   payload
 *
 * A message is delivered only when every one of its frames has arrived; a message missing a
 * frame is never delivered in part. Memory is bounded: a message may not exceed
 * maxMessageBytes, and only maxPendingMessages incomplete messages are kept per source.
 * Pure module: no DOM, no WebRTC, so it is tested in Node.
 */

export const FRAME_MARK = 0xfb;
export const FRAME_HEADER_BYTES = 13;
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
/** Chromium's limit: a frame above this is dropped silently, which is the bug we work around. */
const BROWSER_MESSAGE_LIMIT = 256 * 1024;
const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const DEFAULT_MAX_PENDING_MESSAGES = 8;
const MAX_UINT32 = 0xffffffff;

export interface Fragmenter {
	/** Yields the frames of one message, lazily, so a 20 MB state is not copied twice at once. */
	split(message: Uint8Array): Generator<Uint8Array, void, undefined>;
}

export function createFragmenter(options: { maxFrameBytes?: number } = {}): Fragmenter {
	const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
	if (
		!Number.isInteger(maxFrameBytes) ||
		maxFrameBytes <= FRAME_HEADER_BYTES ||
		maxFrameBytes > BROWSER_MESSAGE_LIMIT
	) {
		throw new RangeError(`maxFrameBytes must be between ${FRAME_HEADER_BYTES + 1} and 256 KiB`);
	}
	const payloadBytes = maxFrameBytes - FRAME_HEADER_BYTES;
	let nextMessageId = 0;

	function* split(message: Uint8Array): Generator<Uint8Array, void, undefined> {
		const messageId = nextMessageId;
		nextMessageId = nextMessageId === MAX_UINT32 ? 0 : nextMessageId + 1;
		const count = Math.max(1, Math.ceil(message.length / payloadBytes));
		for (let index = 0; index < count; index++) {
			const payload = message.subarray(index * payloadBytes, (index + 1) * payloadBytes);
			const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
			const header = new DataView(frame.buffer);
			header.setUint8(0, FRAME_MARK);
			header.setUint32(1, messageId);
			header.setUint32(5, index);
			header.setUint32(9, count);
			frame.set(payload, FRAME_HEADER_BYTES);
			yield frame;
		}
	}
	return { split };
}

export type FrameRejection =
	'not-a-frame' | 'bad-index' | 'count-changed' | 'message-too-large' | 'evicted';

export interface ReassemblerOptions {
	/** Largest message accepted; frames beyond it discard the message. */
	maxMessageBytes?: number;
	/** Incomplete messages kept per source before the oldest is discarded. */
	maxPendingMessages?: number;
	/**
	 * The sender finishes one message before starting the next (true for our data channels,
	 * which are ordered and reliable): a frame of a new message then means any incomplete
	 * older one lost a frame, and it is discarded at once instead of waiting for eviction.
	 */
	sequentialSources?: boolean;
	/** Told about every frame or message thrown away, for logs and tests. */
	onReject?: (reason: FrameRejection, source: string) => void;
}

export interface Reassembler {
	/** Returns the whole message when this frame completes one, else null. */
	accept(frame: Uint8Array, source?: string): Uint8Array | null;
	/** Forgets a source's incomplete messages (its connection closed). */
	forget(source: string): void;
	/** Incomplete messages held, across sources. */
	readonly pendingMessages: number;
}

interface PendingMessage {
	count: number;
	frames: (Uint8Array | undefined)[];
	received: number;
	bytes: number;
}

export function createReassembler(options: ReassemblerOptions = {}): Reassembler {
	const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
	const maxPendingMessages = options.maxPendingMessages ?? DEFAULT_MAX_PENDING_MESSAGES;
	const sequentialSources = options.sequentialSources ?? false;
	const reject = options.onReject ?? (() => {});
	/** source -> message id -> pending message; Map keeps insertion order, oldest first. */
	const pendingBySource = new Map<string, Map<number, PendingMessage>>();

	function pendingFor(source: string): Map<number, PendingMessage> {
		let pending = pendingBySource.get(source);
		if (!pending) {
			pending = new Map();
			pendingBySource.set(source, pending);
		}
		return pending;
	}

	function accept(frame: Uint8Array, source = ''): Uint8Array | null {
		if (
			!(frame instanceof Uint8Array) ||
			frame.length < FRAME_HEADER_BYTES ||
			frame[0] !== FRAME_MARK
		) {
			reject('not-a-frame', source);
			return null;
		}
		const header = new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES);
		const messageId = header.getUint32(1);
		const index = header.getUint32(5);
		const count = header.getUint32(9);
		const payload = frame.subarray(FRAME_HEADER_BYTES);
		if (count === 0 || index >= count) {
			reject('bad-index', source);
			return null;
		}
		if (count === 1) {
			if (payload.length > maxMessageBytes) {
				reject('message-too-large', source);
				return null;
			}
			if (sequentialSources) discardAllBut(source, messageId);
			return payload.slice();
		}

		if (sequentialSources) discardAllBut(source, messageId);
		const pending = pendingFor(source);
		let message = pending.get(messageId);
		if (!message) {
			message = { count, frames: new Array(count), received: 0, bytes: 0 };
			pending.set(messageId, message);
			while (pending.size > maxPendingMessages) {
				const oldest = pending.keys().next().value as number;
				pending.delete(oldest);
				reject('evicted', source);
			}
		} else if (message.count !== count) {
			pending.delete(messageId);
			reject('count-changed', source);
			return null;
		}
		if (message.frames[index] !== undefined) return null; // a duplicate changes nothing
		if (message.bytes + payload.length > maxMessageBytes) {
			pending.delete(messageId);
			reject('message-too-large', source);
			return null;
		}
		message.frames[index] = payload.slice();
		message.received += 1;
		message.bytes += payload.length;
		if (message.received < message.count) return null;

		pending.delete(messageId);
		if (pending.size === 0) pendingBySource.delete(source);
		const whole = new Uint8Array(message.bytes);
		let offset = 0;
		for (const part of message.frames as Uint8Array[]) {
			whole.set(part, offset);
			offset += part.length;
		}
		return whole;
	}

	function discardAllBut(source: string, messageId: number): void {
		const pending = pendingBySource.get(source);
		if (!pending) return;
		for (const id of [...pending.keys()]) {
			if (id !== messageId) {
				pending.delete(id);
				reject('evicted', source);
			}
		}
		if (pending.size === 0) pendingBySource.delete(source);
	}

	return {
		accept,
		forget(source) {
			pendingBySource.delete(source);
		},
		get pendingMessages() {
			let total = 0;
			for (const pending of pendingBySource.values()) total += pending.size;
			return total;
		}
	};
}
