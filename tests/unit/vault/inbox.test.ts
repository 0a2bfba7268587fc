import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/vault/db';
import { createVault, unlockVault } from '$lib/vault/vault';
import { drainInbox, postToInbox } from '$lib/vault/inbox';
import { listHistory } from '$lib/vault/consent-history';
import { dumpIndexedDb } from '../../helpers/idb-dump';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

describe('inbox', () => {
	it('keeps what happened while locked, sealed, until the next unlock', async () => {
		const name = `inbox-${crypto.randomUUID()}`;
		const db = openDatabase(name);
		const vault = await createVault({ password: 'pw', vault: { db, kdf } });
		vault.lock();

		const posted = await postToInbox(db, {
			at: 5,
			outcome: 'failed',
			origin: 'https://refused.example',
			botId: '7',
			types: [],
			sent: [],
			error: 'SCOPE_INVALID'
		});
		expect(posted).toBe(true);
		expect(await dumpIndexedDb(name)).not.toContain('refused.example');

		const unlocked = await unlockVault({ password: 'pw', vault: { db } });
		expect(await drainInbox(unlocked)).toBe(1);
		const history = await listHistory(unlocked);
		expect(history).toMatchObject([{ origin: 'https://refused.example', error: 'SCOPE_INVALID' }]);
		expect(await db.inbox.count()).toBe(0);
		expect(await drainInbox(unlocked)).toBe(0);
	});

	it('posts nothing where there is no vault', async () => {
		const db = openDatabase(`inbox-${crypto.randomUUID()}`);
		expect(
			await postToInbox(db, {
				at: 1,
				outcome: 'failed',
				origin: '',
				botId: '',
				types: [],
				sent: []
			})
		).toBe(false);
	});
});
