/**
 * What the y-webrtc transport keeps once sync stops (at lock). y-webrtc derives an AES-GCM
 * CryptoKey from the room password and keeps it on the provider and its room; its signaling
 * connections live in a module-level map that outlives any provider. A provider still listed
 * there after stop keeps the room key reachable for the life of the page, and its relay
 * connection open (reconnecting forever): the relay learns the device is still online.
 *
 * The real relay (scripts/relay.js) and the real y-webrtc, in Node with the `ws` WebSocket.
 */
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { startRelay, type RunningRelay } from '../../../scripts/relay.js';
import { startTransport, type SyncTransport } from '$lib/sync/transport';
import type { RoomSubkeyPurpose } from '$lib/sync/room-credentials';
import { until } from './node-relay';

const { WebSocket } = createRequire(import.meta.url)('ws') as { WebSocket: unknown };

const subkeys = (purpose: RoomSubkeyPurpose) =>
	new Uint8Array(32).fill(purpose === 'sync-room-name' ? 1 : 2);

/** y-webrtc's signaling connection, as far as this test looks into it. */
interface SignalingConn {
	connected: boolean;
	shouldConnect: boolean;
	providers: Set<unknown>;
}

describe('stopping the sync transport', () => {
	let relay: RunningRelay;
	let transport: SyncTransport | undefined;

	beforeEach(async () => {
		// lib0's WebSocket client uses the global one, which Node 20 lacks.
		vi.stubGlobal('WebSocket', WebSocket);
		relay = await startRelay({ port: 0 });
	});

	afterEach(async () => {
		transport?.stop();
		transport = undefined;
		await relay.close();
		vi.unstubAllGlobals();
	});

	it('drops the provider from the signaling connections, closes the relay socket and forgets the room key', async () => {
		const doc = new Y.Doc();
		transport = startTransport({
			doc,
			deriveSubkey: subkeys,
			signalingUrls: [relay.url],
			iceServers: []
		});
		const { provider } = transport;
		const conns = provider.signalingConns as unknown as SignalingConn[];
		// Generous bound: PBKDF2 (100,000 rounds) and a loopback connection, on a loaded machine.
		await until(() => provider.room !== null && conns.every((conn) => conn.connected), 20_000);
		expect(relay.connections()).toBe(1);
		const roomKey = await provider.key;
		expect(roomKey).toBeInstanceOf(CryptoKey);

		transport.stop();

		// Nothing global still reaches the provider, hence its key.
		for (const conn of conns) {
			expect(conn.providers.has(provider)).toBe(false);
			expect(conn.shouldConnect).toBe(false);
		}
		// The relay sees the device leave and it does not come back.
		await until(() => relay.connections() === 0, 20_000);
		// The provider itself lets go of the key once its room is destroyed.
		await until(() => provider.room === null, 20_000);
		expect(await provider.key).toBeNull();
		doc.destroy();
	});
});
