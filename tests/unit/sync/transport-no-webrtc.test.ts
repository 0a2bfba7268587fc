/**
 * A browser without WebRTC (Debian's WebKitGTK, WebRTC turned off) in a vault whose other device
 * is online. Node has no RTCPeerConnection either, so it plays that browser: a transport that
 * joined the relay room would take the other device's announce and let simple-peer throw "No
 * WebRTC support" from the socket's message handler, an uncaught error on every announce. With
 * `peerConnections: false` it joins no room at all.
 *
 * The real relay (scripts/relay.js) and the real y-webrtc, in Node with the `ws` WebSocket.
 */
import { createRequire } from 'node:module';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { startRelay, type RunningRelay } from '../../../scripts/relay.js';
import { startTransport, type SyncTransport } from '$lib/sync/transport';
import type { RoomSubkeyPurpose } from '$lib/sync/room-credentials';
import { until } from './node-relay';

const { WebSocket } = createRequire(import.meta.url)('ws') as { WebSocket: unknown };

const subkeys = (purpose: RoomSubkeyPurpose) =>
	new Uint8Array(32).fill(purpose === 'sync-room-name' ? 1 : 2);

let relay: RunningRelay;
const transports: SyncTransport[] = [];
const uncaught: unknown[] = [];
const collect = (error: unknown) => uncaught.push(error);

beforeEach(async () => {
	vi.stubGlobal('WebSocket', WebSocket);
	relay = await startRelay({ port: 0 });
	process.on('uncaughtException', collect);
});

afterEach(async () => {
	for (const transport of transports.splice(0)) transport.stop();
	process.off('uncaughtException', collect);
	await relay.close();
	vi.unstubAllGlobals();
});

it('without WebRTC, the transport joins no relay room; with it, it does', async () => {
	expect(typeof (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection).toBe(
		'undefined'
	);
	const start = (peerConnections?: boolean) => {
		const transport = startTransport({
			doc: new Y.Doc(),
			deriveSubkey: subkeys,
			signalingUrls: [relay.url],
			iceServers: [],
			peerConnections
		});
		transports.push(transport);
		return transport;
	};
	const here = start(false);
	await until(() => here.provider.room !== null, 20_000);
	expect(here.provider.signalingConns).toHaveLength(0);
	expect(relay.connections()).toBe(0);
	// y-webrtc allows one provider per room in a page: the same room, now with WebRTC.
	transports.pop()?.stop();
	await until(() => here.provider.room === null, 20_000);
	const withWebRtc = start();
	await until(() => withWebRtc.provider.signalingConns[0]?.connected === true, 20_000);
	expect(relay.connections()).toBe(1);
	expect(uncaught).toEqual([]);
});
