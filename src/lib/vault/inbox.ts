/**
 * The vault's inbox: a way to record something while the vault is locked, readable only once it
 * is unlocked. Used for consent requests refused before the person unlocked (they arrive as fresh
 * page loads from other sites, so the vault is usually locked then), which the history must show.
 */
import { openSealedBox, sealToPublicKey } from '$lib/crypto/sealed-box';
import { utf8Decode, utf8Encode, wipe } from '$lib/crypto/bytes';
import {
	addHistoryEntry,
	MAX_FAILURES_KEPT,
	pruneFailures,
	type ConsentHistoryEntry
} from './consent-history';
import type { PapiersDb } from './db';
import { BOX_OVERHEAD, pad, RECORD_BUCKET, unpad } from './padding';
import { INBOX_KEY_RECORD, type UnlockedVault } from './vault';

type InboxEntry = Omit<ConsentHistoryEntry, 'id'>;

/** Seals a history entry for the next unlock. Does nothing where no vault (or no inbox) exists. */
export async function postToInbox(db: PapiersDb, entry: InboxEntry): Promise<boolean> {
	const header = await db.header.get('main');
	if (!header?.inboxPublicKey) return false;
	// The history keeps only the newest failures anyway; past that, more would only fill the disk.
	if ((await db.inbox.count()) >= MAX_FAILURES_KEPT) return false;
	const sealed = sealToPublicKey({
		recipientPublicKey: header.inboxPublicKey,
		plaintext: pad(utf8Encode(JSON.stringify(entry)), RECORD_BUCKET, BOX_OVERHEAD)
	});
	await db.inbox.add({ sealed, v: 2 });
	return true;
}

/**
 * Moves every inbox entry into the history. Entries that do not open (altered, or sealed to an
 * older key) are dropped: they can never become readable.
 */
export async function drainInbox(vault: UnlockedVault): Promise<number> {
	const rows = await vault.db.inbox.toArray();
	if (rows.length === 0) return 0;
	const secret = await vault.get<number[]>(INBOX_KEY_RECORD);
	if (!secret) return 0;
	const secretKey = Uint8Array.from(secret);
	let moved = 0;
	try {
		for (const row of rows) {
			try {
				const opened = openSealedBox({ recipientSecretKey: secretKey, sealed: row.sealed });
				const content = row.v === 2 ? unpad(opened, RECORD_BUCKET, BOX_OVERHEAD) : opened;
				const entry = JSON.parse(utf8Decode(content)) as InboxEntry;
				await addHistoryEntry(vault, entry);
				moved++;
			} catch {
				// Unreadable: nothing to recover.
			}
			await vault.db.inbox.delete(row.seq!);
		}
	} finally {
		wipe(secretKey);
	}
	await pruneFailures(vault);
	return moved;
}
