/**
 * Puts every data-channel message of a y-webrtc provider through the frame codec (fragment.ts).
 *
 * Where: y-webrtc 10.3 keeps one WebrtcConn per remote peer in `room.webrtcConns`, each with a
 * simple-peer instance `conn.peer`. All of its sending goes through `conn.peer.send(bytes)`
 * (sync steps, updates, awareness) and all receiving through the peer's 'data' event, whose
 * listener the WebrtcConn constructor adds. So, with no patch to the package: when a WebrtcConn
 * enters the map (synchronously after construction, before any connection can open), its
 * peer's `send` is replaced by one that queues frames, and its `emit` by one that turns 'data'
 * frames back into whole messages before y-webrtc's listener sees them.
 *
 * No echo: y-webrtc broadcasts every document update to every peer, including the update it
 * is applying from a peer, which goes straight back to its sender (20 MB out, 20 MB back when a
 * new device receives the vault). While a peer's message is being handled, sync updates
 * addressed to that same peer are dropped: they only carry what it just sent. Replies (sync
 * step 2) and updates to other peers go out as before, so a peer still relays for the others.
 *
 * Sending respects the channel's buffer: frames are written while less than HIGH_WATER_BYTES
 * wait in it, then we wait for 'bufferedamountlow'. Chromium closes a data channel whose
 * buffer passes 16 MiB, which a 20 MB vault sent in one go would do.
 *
 * Scan transfers (scan-transfer.ts) share the channel: a whole message whose first byte is the
 * transfer's type goes to it instead of y-webrtc, and it sends through the same queue, told
 * when each message has been handed to the channel so it reads the next chunk only then.
 */
import type { WebrtcProvider } from 'y-webrtc';
import {
	createFragmenter,
	createReassembler,
	DEFAULT_MAX_FRAME_BYTES,
	type FrameRejection
} from './fragment';

const HIGH_WATER_BYTES = 1024 * 1024;
/** Fallback wake-up when the channel gives no 'bufferedamountlow' event. */
const DRAIN_POLL_MS = 50;

/** What we use of a simple-peer instance (y-webrtc types it as any). */
interface SimplePeerLike {
	send(data: Uint8Array): void;
	emit(event: string | symbol, ...args: unknown[]): boolean;
	readonly destroyed: boolean;
	readonly bufferSize?: number;
	/** simple-peer's RTCDataChannel (private, stable across simple-peer 9). */
	_channel?: EventTarget & { readyState?: RTCDataChannelState };
}

interface WebrtcConnLike {
	peer: SimplePeerLike;
	remotePeerId: string;
}

export interface FrameTap {
	/** Every frame exactly as handed to the data channel. */
	outgoing?(frame: Uint8Array, remotePeerId: string): void;
	/** Every frame exactly as it came off the data channel. */
	incoming?(frame: Uint8Array, remotePeerId: string): void;
	rejected?(reason: FrameRejection, remotePeerId: string): void;
	/** A whole message y-webrtc could not read (its reader threw); dropped. */
	unreadable?(error: unknown, remotePeerId: string): void;
	/** A whole outgoing message not sent because its channel was not (or no longer) open. */
	dropped?(bytes: number, remotePeerId: string): void;
	/** An update not sent back to the peer it came from. */
	echoSuppressed?(bytes: number, remotePeerId: string): void;
}

/** y-webrtc's messageSync (0) then y-protocols' messageYjsUpdate (2), both one-byte varUints. */
function isSyncUpdate(message: Uint8Array): boolean {
	return message.length > 2 && message[0] === 0 && message[1] === 2;
}

/** A side channel over the same connections (scan-transfer.ts). */
export interface ExtraChannel {
	/** First byte of the messages that belong to it; y-webrtc never sees them. */
	messageType: number;
	/** A connection opened: `send` resolves true once the channel took the message. */
	onLink(peerId: string, send: (message: Uint8Array) => Promise<boolean>): void;
	/** `send` is the one onLink gave: the peer may have reconnected with a new one meanwhile. */
	onUnlink(peerId: string, send: (message: Uint8Array) => Promise<boolean>): void;
	onMessage(peerId: string, message: Uint8Array): void;
}

export interface FragmentingOptions {
	maxFrameBytes?: number;
	tap?: FrameTap;
	extra?: ExtraChannel;
}

const patchedPeers = new WeakSet<object>();

function asBytes(data: unknown): Uint8Array {
	if (data instanceof Uint8Array) return data;
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	if (typeof data === 'string') return new TextEncoder().encode(data);
	throw new TypeError('Unexpected data-channel payload');
}

/** Fragments the traffic of every connection the provider opens, now and later. */
export function fragmentProviderTraffic(
	provider: WebrtcProvider,
	options: FragmentingOptions = {}
): Promise<void> {
	// The room is created once the password key is derived, in a then() the constructor
	// registered before ours; no connection can exist before the room does.
	return Promise.resolve(provider.key).then(() => {
		const room = provider.room as { webrtcConns: Map<string, WebrtcConnLike> } | null;
		if (!room) return;
		const conns = room.webrtcConns;
		for (const conn of conns.values()) fragmentConnection(conn, options);
		const set = conns.set.bind(conns);
		conns.set = (remotePeerId: string, conn: WebrtcConnLike) => {
			fragmentConnection(conn, options);
			return set(remotePeerId, conn);
		};
	});
}

export function fragmentConnection(conn: WebrtcConnLike, options: FragmentingOptions = {}): void {
	const peer = conn.peer;
	if (patchedPeers.has(peer)) return;
	patchedPeers.add(peer);
	const tap = options.tap ?? {};
	const fragmenter = createFragmenter({
		maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
	});
	const reassembler = createReassembler({
		sequentialSources: true, // data channels are ordered and we never interleave messages
		onReject: (reason) => tap.rejected?.(reason, conn.remotePeerId)
	});
	const rawSend = peer.send.bind(peer);
	const rawEmit = peer.emit.bind(peer);
	const outbox: {
		frames: Generator<Uint8Array, void, undefined>;
		bytes: number;
		done?: (sent: boolean) => void;
	}[] = [];
	const extra = options.extra;
	let linked = false;
	let pumping = false;
	/** True while y-webrtc handles a message from this peer (synchronously, inside emit). */
	let handling = false;

	peer.send = (data: Uint8Array) => {
		if (peer.destroyed) throw new Error('cannot send after peer is destroyed');
		const message = asBytes(data);
		if (handling && isSyncUpdate(message)) {
			tap.echoSuppressed?.(message.length, conn.remotePeerId);
			return;
		}
		if (channelClosed(peer)) {
			tap.dropped?.(message.length, conn.remotePeerId);
			return;
		}
		// Queued even while the channel is still opening: a peer's first message can arrive
		// before our side has announced 'connect', and the reply to it must not be lost.
		outbox.push({ frames: fragmenter.split(message), bytes: message.length });
		void pump();
	};

	const sendExtra = (message: Uint8Array): Promise<boolean> => {
		if (peer.destroyed || channelClosed(peer)) return Promise.resolve(false);
		return new Promise((done) => {
			outbox.push({ frames: fragmenter.split(message), bytes: message.length, done });
			void pump();
		});
	};

	peer.emit = (event: string | symbol, ...args: unknown[]) => {
		if (extra && event === 'connect' && !linked) {
			linked = true;
			extra.onLink(conn.remotePeerId, sendExtra);
		} else if (extra && event === 'close' && linked) {
			linked = false;
			extra.onUnlink(conn.remotePeerId, sendExtra);
		}
		if (event !== 'data') return rawEmit(event, ...args);
		let frame: Uint8Array;
		try {
			frame = asBytes(args[0]);
		} catch {
			return false;
		}
		tap.incoming?.(frame, conn.remotePeerId);
		const message = reassembler.accept(frame);
		if (!message) return true;
		if (extra && message[0] === extra.messageType) {
			try {
				extra.onMessage(conn.remotePeerId, message);
			} catch (error) {
				tap.unreadable?.(error, conn.remotePeerId);
			}
			return true;
		}
		handling = true;
		try {
			return rawEmit('data', message);
		} catch (error) {
			// y-webrtc reads a message with no guard: a truncated one, an unknown type or a bad
			// state vector throws out of the data channel's handler, an uncaught exception for
			// every such message a peer sends. The message changed nothing; the connection goes on.
			tap.unreadable?.(error, conn.remotePeerId);
			console.warn('Sync: dropped a message from a peer that could not be read', error);
			return false;
		} finally {
			handling = false;
		}
	};

	async function pump(): Promise<void> {
		if (pumping) return;
		pumping = true;
		try {
			while (outbox.length > 0) {
				const { frames } = outbox[0];
				for (;;) {
					if (channelClosed(peer)) {
						for (const dropped of outbox.splice(0)) {
							tap.dropped?.(dropped.bytes, conn.remotePeerId);
							dropped.done?.(false);
						}
						return;
					}
					if (peer._channel?.readyState !== 'open' || (peer.bufferSize ?? 0) > HIGH_WATER_BYTES) {
						await drained(peer);
						continue;
					}
					const next = frames.next();
					if (next.done) break;
					tap.outgoing?.(next.value, conn.remotePeerId);
					rawSend(next.value);
				}
				outbox.shift()?.done?.(true);
			}
		} catch (error) {
			// The channel closed under us; y-webrtc syncs again from scratch on reconnection.
			console.warn('Sync: sending to a peer failed, dropping its queue', error);
			for (const dropped of outbox.splice(0)) dropped.done?.(false);
		} finally {
			pumping = false;
		}
	}
}

function channelClosed(peer: SimplePeerLike): boolean {
	const state = peer._channel?.readyState;
	return peer.destroyed || state === 'closing' || state === 'closed';
}

/** Resolves when the channel's buffer ran low, or after a short poll (also while it opens). */
function drained(peer: SimplePeerLike): Promise<void> {
	return new Promise((resolve) => {
		const channel = peer._channel;
		const done = () => {
			clearTimeout(timer);
			channel?.removeEventListener?.('bufferedamountlow', done);
			resolve();
		};
		const timer = setTimeout(done, DRAIN_POLL_MS);
		channel?.addEventListener?.('bufferedamountlow', done);
	});
}
