/**
 * Sync settings: the default relay follows where the wallet is served from, only ws:/wss:
 * relays and stun:/turn:/turns: ICE servers are accepted, TURN needs credentials, and what is
 * stored is read back (anything stored that is no longer valid falls back to the default).
 */
import { describe, expect, it } from 'vitest';
import {
	defaultSignalingUrl,
	iceServerProblem,
	readSyncSettings,
	resetSyncSettings,
	saveSyncSettings,
	signalingUrlProblem,
	toIceServers
} from '$lib/sync/settings';
import { MemoryStorage } from '../memory-storage';

const local = { hostname: 'localhost', host: 'localhost:5173' };
const deployed = { hostname: 'wallet.example', host: 'wallet.example' };

describe('sync settings', () => {
	it('defaults to the local relay on localhost, else wss://<host>/relay', () => {
		expect(defaultSignalingUrl(local)).toBe('ws://localhost:4444');
		expect(defaultSignalingUrl({ hostname: '127.0.0.1', host: '127.0.0.1:4173' })).toBe(
			'ws://localhost:4444'
		);
		expect(defaultSignalingUrl(deployed)).toBe('wss://wallet.example/relay');
		expect(readSyncSettings(new MemoryStorage(), deployed)).toEqual({
			signalingUrls: ['wss://wallet.example/relay'],
			iceServers: []
		});
	});

	it('accepts only WebSocket relays', () => {
		expect(signalingUrlProblem('wss://relay.example/relay')).toBeUndefined();
		expect(signalingUrlProblem(' ws://127.0.0.1:4445 ')).toBeUndefined();
		expect(signalingUrlProblem('')).toBe('empty');
		expect(signalingUrlProblem('https://relay.example')).toBe('scheme');
		expect(signalingUrlProblem('relay.example')).toBe('invalid');
		expect(signalingUrlProblem('wss://user:pw@relay.example')).toBe('invalid');
	});

	it('accepts STUN, and TURN with credentials', () => {
		expect(iceServerProblem({ urls: 'stun:stun.example.org:3478' })).toBeUndefined();
		expect(
			iceServerProblem({
				urls: 'turns:turn.example.org:5349?transport=tcp',
				username: 'u',
				credential: 'p'
			})
		).toBeUndefined();
		expect(iceServerProblem({ urls: 'turn:turn.example.org' })).toBe('credentials');
		expect(iceServerProblem({ urls: 'turn:turn.example.org', username: 'u' })).toBe('credentials');
		expect(iceServerProblem({ urls: 'https://turn.example.org' })).toBe('scheme');
		expect(iceServerProblem({ urls: 'stun:' })).toBe('invalid');
		expect(iceServerProblem({ urls: 'stun:host:99999' })).toBe('invalid');
		expect(iceServerProblem({ urls: '   ' })).toBe('empty');
	});

	it('stores per device and reads back; refuses invalid entries', () => {
		const storage = new MemoryStorage() as unknown as Storage;
		const saved = saveSyncSettings(
			{
				signalingUrls: [' wss://relay.example/relay ', ''],
				iceServers: [
					{ urls: 'turn:turn.example.org:3478', username: ' alice ', credential: 's3cret' }
				]
			},
			storage
		);
		expect(saved.signalingUrls).toEqual(['wss://relay.example/relay']);
		expect(readSyncSettings(storage, deployed)).toEqual(saved);
		expect(toIceServers(saved.iceServers)).toEqual([
			{ urls: 'turn:turn.example.org:3478', username: 'alice', credential: 's3cret' }
		]);
		expect(() =>
			saveSyncSettings({ signalingUrls: ['http://relay'], iceServers: [] }, storage)
		).toThrow();
		expect(() =>
			saveSyncSettings({ signalingUrls: ['wss://ok'], iceServers: [{ urls: 'turn:x' }] }, storage)
		).toThrow();
		expect(readSyncSettings(storage, deployed)).toEqual(saved);
		storage.setItem('papiers.sync.signaling', '["http://tampered"]');
		expect(readSyncSettings(storage, deployed).signalingUrls).toEqual([
			'wss://wallet.example/relay'
		]);
		resetSyncSettings(storage);
		expect(readSyncSettings(storage, local).signalingUrls).toEqual(['ws://localhost:4444']);
	});
});
