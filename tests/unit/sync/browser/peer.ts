/**
 * Runs inside Chromium for webrtc.test.ts: one device with a real IndexedDB vault database,
 * the sync mirror and the y-webrtc transport, driven from the test through window.peer.
 * Rows are sealed with XChaCha20-Poly1305 as the vault seals them; plaintexts carry a marker
 * that must never show up in a data-channel frame.
 */
import * as Y from 'yjs';
import { WebrtcProvider } from 'y-webrtc';
import { open, seal } from '$lib/crypto/aead';
import { fromHex, utf8Decode, utf8Encode } from '$lib/crypto/bytes';
import { deriveSubkey } from '$lib/crypto/hkdf';
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import type { SealedRow } from '$lib/vault/types';
import { DocMirror } from '$lib/sync/doc-mirror';
import { startTransport, type SyncTransport } from '$lib/sync/transport';

interface FrameStats {
	framesOut: number;
	bytesOut: number;
	largestFrameOut: number;
	framesIn: number;
	markerHitsOut: number;
	markerHitsIn: number;
	droppedMessages: number[];
}

let vaultDb: PapiersDb;
let mirror: DocMirror;
let transport: SyncTransport | undefined;
let rawProvider: WebrtcProvider | undefined;
let sealKey: Uint8Array;

let marker: Uint8Array;
const stats: FrameStats = {
	framesOut: 0,
	bytesOut: 0,
	largestFrameOut: 0,
	framesIn: 0,
	markerHitsOut: 0,
	markerHitsIn: 0,
	droppedMessages: []
};

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
	outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
		for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
		return true;
	}
	return false;
}

/** Plaintext of `size` bytes that starts with the marker and repeats it throughout. */
function plaintextWithMarker(size: number, label: string): Uint8Array {
	const out = new Uint8Array(size);
	const pattern = utf8Encode(`${label} ${utf8Decode(marker)} `);
	for (let i = 0; i < size; i += pattern.length) out.set(pattern.subarray(0, size - i), i);
	return out;
}

function sealRow(id: string, plaintext: Uint8Array): SealedRow {
	return { id, v: 1, at: Date.now(), ct: seal({ key: sealKey, plaintext }) };
}

const peer = {
	async setup(options: {
		name: string;
		signalingUrl: string;
		vaultKeyHex: string;
		marker: string;
		fragment: boolean;
	}): Promise<string> {
		const vaultKey = fromHex(options.vaultKeyHex);
		sealKey = deriveSubkey(vaultKey, 'scans');
		marker = utf8Encode(options.marker);
		vaultDb = openDatabase(`papiers-${options.name}`);
		mirror = await DocMirror.open({
			vaultDb,
			vaultTag: 'browser-test',
			syncDbName: `sync-${options.name}`
		});
		const derive = (purpose: 'sync-room-name' | 'sync-room-secret') =>
			deriveSubkey(vaultKey, purpose);
		if (!options.fragment) {
			// Control: y-webrtc as shipped, to show what the fragmenting layer fixes.
			rawProvider = new WebrtcProvider(`control-${options.vaultKeyHex.slice(0, 16)}`, mirror.doc, {
				signaling: [options.signalingUrl],
				password: 'control',
				peerOpts: { config: { iceServers: [] } }
			});
			return 'control';
		}
		transport = startTransport({
			doc: mirror.doc,
			deriveSubkey: derive,
			signalingUrls: [options.signalingUrl],
			iceServers: [],
			frameTap: {
				outgoing(frame) {
					stats.framesOut += 1;
					stats.bytesOut += frame.length;
					stats.largestFrameOut = Math.max(stats.largestFrameOut, frame.length);
					if (contains(frame, marker)) stats.markerHitsOut += 1;
				},
				dropped(bytes) {
					stats.droppedMessages.push(bytes);
				},
				incoming(frame) {
					stats.framesIn += 1;
					if (contains(frame, marker)) stats.markerHitsIn += 1;
				}
			}
		});
		await transport.ready;
		return transport.roomName;
	},

	/** Proves the marker scan works: a frame holding the marker in clear is counted. */
	scanFindsMarkerInClear(): boolean {
		return contains(plaintextWithMarker(1000, 'control'), marker);
	},

	async saveScans(count: number, bytesEach: number): Promise<void> {
		for (let i = 0; i < count; i++) {
			const row = sealRow(`scan-${i}`, plaintextWithMarker(bytesEach, `scan ${i}`));
			await vaultDb.scans.put(row);
			mirror.scanSaved(row);
		}
	},

	async saveRecord(id: string, text: string): Promise<void> {
		const row = sealRow(id, utf8Encode(`${text} ${utf8Decode(marker)}`));
		await vaultDb.records.put(row);
		mirror.recordSaved(row);
	},

	async scanBytes(): Promise<number> {
		const rows = await vaultDb.scans.toArray();
		return rows.reduce((sum, row) => sum + row.ct.length, 0);
	},

	/** Decrypts a received scan and checks it holds what the other device sealed. */
	async scanHoldsMarker(id: string): Promise<boolean> {
		const row = await vaultDb.scans.get(id);
		return row !== undefined && contains(open({ key: sealKey, sealed: row.ct }), marker);
	},

	async recordText(id: string): Promise<string | null> {
		const row = await vaultDb.records.get(id);
		return row ? utf8Decode(open({ key: sealKey, sealed: row.ct })) : null;
	},

	peers(): number {
		return transport?.status.peers ?? rawProvider?.room?.webrtcConns.size ?? 0;
	},

	/** Diagnostics for a failed run: the state of each WebRTC connection. */
	connections(): string[] {
		const room = (transport?.provider ?? rawProvider)?.room;
		if (!room) return [];
		return [...room.webrtcConns.values()].map((conn) => {
			const pc = conn.peer._pc as RTCPeerConnection | undefined;
			return `connected=${conn.connected} peer.connected=${conn.peer.connected} ice=${pc?.iceConnectionState} pc=${pc?.connectionState}`;
		});
	},

	stats(): FrameStats & { docBytes: number } {
		return { ...stats, docBytes: Y.encodeStateAsUpdate(mirror.doc).length };
	},

	docSize(): number {
		return Y.encodeStateAsUpdate(mirror.doc).length;
	},

	async stop(): Promise<void> {
		transport?.stop();
		rawProvider?.destroy();
		await mirror.close();
	}
};

(window as unknown as { peer: typeof peer }).peer = peer;
