/**
 * Loaded into a page of the wallet (05-sync.bench.js, tests/e2e/sync-large.spec.ts): fills the
 * vault of that origin with sealed scans of random bytes, through the real vault code, so a
 * 100 MB vault is made in seconds instead of through the editor photo by photo. One scan at a
 * time: the page never holds more than one. The running app learns of them at its next unlock
 * (the sync mirror reconciles the store with the document when it starts).
 */
import { openDatabase } from '$lib/vault/db';
import { unlockVault } from '$lib/vault/vault';

async function addScans(options: {
	password: string;
	count: number;
	bytes: number;
}): Promise<{ sealedBytes: number }> {
	const db = openDatabase();
	const vault = await unlockVault({ password: options.password, vault: { db } });
	let sealedBytes = 0;
	try {
		for (let i = 0; i < options.count; i++) {
			const bytes = new Uint8Array(options.bytes);
			for (let at = 0; at < bytes.length; at += 65536) {
				crypto.getRandomValues(bytes.subarray(at, Math.min(at + 65536, bytes.length)));
			}
			const id = await vault.putScan(bytes);
			sealedBytes += (await db.scans.get(id))!.ct.length;
		}
	} finally {
		vault.lock();
		db.close();
	}
	return { sealedBytes };
}

(globalThis as unknown as { benchSyncScans: unknown }).benchSyncScans = { addScans };
