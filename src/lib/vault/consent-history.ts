/**
 * The consent history: one sealed record per authorization, cancellation or failure, and the
 * element hashes each authorization sent (PROTOCOL.md 4.2), which is what lets the wallet match
 * errors a service reports later (section 5).
 */
import type { ElementType } from '$lib/passport/types';
import type { SentElement } from '$lib/passport/sent-element';
import type { RecordStore } from './types';

export type ConsentOutcome = 'authorized' | 'cancelled' | 'failed';

export interface ConsentHistoryEntry {
	id: string;
	/** Unix milliseconds. */
	at: number;
	outcome: ConsentOutcome;
	/** The callback's origin: who received (or would have received) the data. */
	origin: string;
	botId: string;
	/** As claimed by the service; shown as such. */
	serviceName?: string;
	keyFingerprint?: string;
	/** The element types shared (authorized) or asked for (otherwise). */
	types: ElementType[];
	/** What was sent, for authorizations. */
	sent: SentElement[];
	responseMode?: 'form_post' | 'fragment';
	/** An error code, for failures. */
	error?: string;
}

const PREFIX = 'history:';

export async function addHistoryEntry(
	store: RecordStore,
	entry: Omit<ConsentHistoryEntry, 'id' | 'at'> & { at?: number }
): Promise<ConsentHistoryEntry> {
	const at = entry.at ?? Date.now();
	const full: ConsentHistoryEntry = { ...entry, at, id: `${at}-${crypto.randomUUID()}` };
	await store.put(`${PREFIX}${full.id}`, full);
	return full;
}

/**
 * Refused requests cost a site nothing to send, so only the newest of them are kept: a site
 * cannot grow someone's history (and slow every consent screen) without limit.
 */
export const MAX_FAILURES_KEPT = 100;

export async function pruneFailures(store: RecordStore, keep = MAX_FAILURES_KEPT): Promise<number> {
	const failures = (await listHistory(store)).filter((entry) => entry.outcome === 'failed');
	const excess = failures.slice(keep);
	for (const entry of excess) await store.delete(`${PREFIX}${entry.id}`);
	return excess.length;
}

/** Newest first. */
export async function listHistory(store: RecordStore): Promise<ConsentHistoryEntry[]> {
	const { records } = await store.list<ConsentHistoryEntry>(PREFIX);
	return records.map((record) => record.value).sort((a, b) => b.at - a.at);
}

export async function getHistoryEntry(
	store: RecordStore,
	id: string
): Promise<ConsentHistoryEntry | undefined> {
	return store.get<ConsentHistoryEntry>(`${PREFIX}${id}`);
}

/** Every element record this origin was sent, for matching the errors it reports. */
export async function sentToOrigin(store: RecordStore, origin: string): Promise<SentElement[]> {
	return (await listHistory(store))
		.filter((entry) => entry.origin === origin && entry.outcome === 'authorized')
		.flatMap((entry) => entry.sent);
}

/** Case-insensitive search over what a person would remember: site, name, bot id, types, error. */
export function matchesHistoryQuery(entry: ConsentHistoryEntry, query: string): boolean {
	const needle = query.trim().toLowerCase();
	if (!needle) return true;
	return [
		entry.origin,
		entry.serviceName ?? '',
		entry.botId,
		entry.outcome,
		entry.error ?? '',
		...entry.types
	]
		.join(' ')
		.toLowerCase()
		.includes(needle);
}
