/**
 * Connects a vault's sync document to the vault's other devices with y-webrtc.
 *
 * Always explicit: the signaling URLs and ICE servers come from settings, never y-webrtc's or
 * simple-peer's defaults (a public relay and public STUN servers). The room name and password
 * are derived from the vault key (room-credentials.ts). Every data-channel message is
 * fragmented to 64 KiB frames (fragmenting-peers.ts). The document holds ciphertext only, so a
 * peer or the relay sees sealed rows, never papers.
 */
import * as Y from 'yjs';
import { WebrtcProvider } from 'y-webrtc';
import { fragmentProviderTraffic, type ExtraChannel, type FrameTap } from './fragmenting-peers';
import { deriveRoomCredentials, type RoomSubkeyDeriver } from './room-credentials';

export interface TransportSettings {
	/** wss:// URLs of signaling relays (ws://127.0.0.1:… in tests). At least one. */
	signalingUrls: string[];
	/** STUN/TURN servers; an empty list keeps connections to host candidates (tests, LAN). */
	iceServers: RTCIceServer[];
	/**
	 * False in a browser without WebRTC (platform/features.ts canSync): the provider then joins
	 * no relay room, so no other device's offer ever reaches simple-peer, which would throw
	 * "No WebRTC support" from the socket's message handler. Tabs of this browser still share
	 * the document over BroadcastChannel. Default true.
	 */
	peerConnections?: boolean;
}

export interface TransportOptions extends TransportSettings {
	doc: Y.Doc;
	deriveSubkey: RoomSubkeyDeriver;
	/** Tests: sees every data-channel frame in and out. */
	frameTap?: FrameTap;
	/** Tests: a smaller frame size; never above 64 KiB. */
	maxFrameBytes?: number;
	/** Messages carried beside the document's (scan-transfer.ts). */
	extra?: ExtraChannel;
}

export interface TransportStatus {
	/** Remote devices connected or being connected to over WebRTC. */
	peers: number;
	/** True once every connected peer has sent its state. */
	synced: boolean;
}

export interface SyncTransport {
	readonly roomName: string;
	/** The y-webrtc provider underneath, for diagnostics; the app should not need it. */
	readonly provider: WebrtcProvider;
	readonly status: TransportStatus;
	/** Called on every change of peers or sync state; returns an unsubscribe function. */
	onStatus(listener: (status: TransportStatus) => void): () => void;
	/** Resolves once connections opened from now on will be fragmented. */
	readonly ready: Promise<void>;
	stop(): void;
}

function checkSettings(settings: TransportSettings): void {
	if (!Array.isArray(settings.signalingUrls) || settings.signalingUrls.length === 0) {
		throw new Error('Sync needs at least one signaling URL from settings');
	}
	for (const url of settings.signalingUrls) {
		const protocol = new URL(url).protocol;
		if (protocol !== 'wss:' && protocol !== 'ws:') throw new Error(`Not a WebSocket URL: ${url}`);
	}
	if (!Array.isArray(settings.iceServers))
		throw new Error('Sync needs an explicit ICE server list');
}

export function startTransport(options: TransportOptions): SyncTransport {
	checkSettings(options);
	const { roomName, password } = deriveRoomCredentials(options.deriveSubkey);
	const provider = new WebrtcProvider(roomName, options.doc, {
		signaling: options.peerConnections === false ? [] : [...options.signalingUrls],
		password,
		peerOpts: { config: { iceServers: options.iceServers } }
	});
	const ready = fragmentProviderTraffic(provider, {
		maxFrameBytes: options.maxFrameBytes,
		tap: options.frameTap,
		extra: options.extra
	});

	let status: TransportStatus = { peers: 0, synced: false };
	const listeners = new Set<(status: TransportStatus) => void>();
	const update = (change: Partial<TransportStatus>) => {
		status = { ...status, ...change };
		for (const listener of listeners) listener(status);
	};
	provider.on('peers', ({ webrtcPeers }) => update({ peers: webrtcPeers.length }));
	provider.on('synced', ({ synced }) => update({ synced }));

	let stopped = false;
	return {
		roomName,
		provider,
		ready,
		get status() {
			return status;
		},
		onStatus(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		stop() {
			if (stopped) return;
			stopped = true;
			listeners.clear();
			wipeProvider(provider);
		}
	};
}

/**
 * Ends the provider and lets go of the room key. y-webrtc derives an extractable AES-GCM
 * CryptoKey from the room password and keeps it on the provider and its room, and destroy()
 * alone leaves the provider in the signaling connections, a module-level map that lives as long
 * as the page: the key would stay reachable after lock, and the relay socket open, reconnecting.
 * disconnect() takes the provider out of them (and closes a connection no provider uses); once
 * destroy() has torn the room down, the provider forgets the room and the key, so whatever
 * still holds the transport (the sync engine, until it is dropped) no longer reaches them.
 */
function wipeProvider(provider: WebrtcProvider): void {
	provider.disconnect();
	provider.destroy();
	const destroyed = provider.key;
	provider.key = Promise.resolve(null);
	// destroy() waits for the key before it destroys the room: this runs after. The room keeps
	// its own reference, so a late signaling message of a closing peer is still sealed; nothing
	// reaches the room once the provider lets go of it.
	const forgetRoom = () => {
		provider.room = null;
	};
	void Promise.resolve(destroyed).then(forgetRoom, forgetRoom);
}
