import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/vault/db';
import { createVault } from '$lib/vault/vault';
import {
	addHistoryEntry,
	listHistory,
	matchesHistoryQuery,
	sentToOrigin
} from '$lib/vault/consent-history';
import { checkServiceKey, rememberServiceKey } from '$lib/vault/trusted-services';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const newVault = () =>
	createVault({ password: 'pw', vault: { db: openDatabase(`t-${crypto.randomUUID()}`), kdf } });

describe('consent history', () => {
	it('lists newest first, searches, and gathers what one origin was sent', async () => {
		const vault = await newVault();
		const sent = [{ type: 'email' as const, elementHash: 'h1', files: [] }];
		await addHistoryEntry(vault, {
			at: 1000,
			outcome: 'authorized',
			origin: 'https://shop.example',
			botId: '123',
			types: ['email'],
			sent
		});
		await addHistoryEntry(vault, {
			at: 2000,
			outcome: 'cancelled',
			origin: 'https://bank.example',
			botId: '99999999999999999',
			serviceName: 'Bank',
			types: ['passport'],
			sent: []
		});
		const entries = await listHistory(vault);
		expect(entries.map((e) => e.origin)).toEqual(['https://bank.example', 'https://shop.example']);
		expect(entries.filter((e) => matchesHistoryQuery(e, 'BANK'))).toHaveLength(1);
		expect(entries.filter((e) => matchesHistoryQuery(e, 'passport'))).toHaveLength(1);
		expect(entries.filter((e) => matchesHistoryQuery(e, ''))).toHaveLength(2);
		expect(await sentToOrigin(vault, 'https://shop.example')).toEqual(sent);
		expect(await sentToOrigin(vault, 'https://bank.example')).toEqual([]);
	});
});

describe('trust on first use', () => {
	it('knows a new origin, the same key, and a changed key', async () => {
		const vault = await newVault();
		expect(await checkServiceKey(vault, 'https://a.example', 'AAAA')).toEqual({ status: 'new' });
		await rememberServiceKey(vault, 'https://a.example', 'AAAA');
		expect(await checkServiceKey(vault, 'https://a.example', 'AAAA')).toEqual({ status: 'known' });
		const changed = await checkServiceKey(vault, 'https://a.example', 'BBBB');
		expect(changed.status).toBe('changed');
		expect(changed.status === 'changed' && changed.previous.keyFingerprint).toBe('AAAA');
		expect(await checkServiceKey(vault, 'https://b.example', 'AAAA')).toEqual({ status: 'new' });
	});
});

describe('failures kept', () => {
	it('keeps only the newest failures, and every authorization', async () => {
		const { pruneFailures } = await import('$lib/vault/consent-history');
		const vault = await newVault();
		await addHistoryEntry(vault, {
			at: 1,
			outcome: 'authorized',
			origin: 'https://a.example',
			botId: '1',
			types: ['email'],
			sent: []
		});
		for (let i = 0; i < 7; i++) {
			await addHistoryEntry(vault, {
				at: 10 + i,
				outcome: 'failed',
				origin: 'https://spam.example',
				botId: '2',
				types: [],
				sent: [],
				error: `E${i}`
			});
		}
		expect(await pruneFailures(vault, 3)).toBe(4);
		const left = await listHistory(vault);
		expect(left.map((entry) => entry.error ?? entry.outcome)).toEqual([
			'E6',
			'E5',
			'E4',
			'authorized'
		]);
	});
});
