/**
 * What this page holds in IndexedDB is let go when the page is left for the back/forward cache.
 *
 * WebKit (Safari, every iPhone browser) keeps a page it caches frozen with its IndexedDB
 * transactions still open, and they never end while it sits there: every other page of the wallet
 * then waits forever on the stores they cover. Seen in the WebKit journey: the papers page, left
 * while a write was under way, kept the next page's consent screen at "Loading…" for good.
 * Unloading a page aborts its transactions; a page frozen in the cache must do the same itself,
 * so `leaveStorage()` aborts every transaction still open, closes the connections (a frozen
 * connection would also block a newer version's upgrade) and refuses new ones until the page is
 * shown again. A write cut off this way is lost as it would be by closing the tab.
 */
import type { DBCore, Dexie, Middleware } from 'dexie';

const openTransactions = new Set<IDBTransaction>();
/** Weakly: a database the app dropped is not kept alive for this. */
const databases = new Set<WeakRef<Dexie>>();
let left = false;

export class PageLeftError extends Error {
	constructor() {
		super('The page was left: storage is released until it is shown again');
		this.name = 'PageLeftError';
	}
}

const trackTransactions: Middleware<DBCore> = {
	stack: 'dbcore',
	name: 'PageLeave',
	create: (down) => ({
		...down,
		transaction(stores, mode, options) {
			if (left) throw new PageLeftError();
			// Below every middleware sits Dexie's IndexedDB core, whose transaction is the real one.
			const transaction = down.transaction(stores, mode, options) as unknown as IDBTransaction;
			openTransactions.add(transaction);
			const settled = () => openTransactions.delete(transaction);
			transaction.addEventListener('complete', settled);
			transaction.addEventListener('abort', settled);
			return transaction as never;
		}
	})
};

/** Makes `db` let go of its transactions and connection when the page is left (see above). */
export function releaseOnLeave<T extends Dexie>(db: T): T {
	db.use(trackTransactions);
	databases.add(new WeakRef(db));
	return db;
}

/** The page is going into the back/forward cache: abort, close, and refuse until it returns. */
export function leaveStorage(): void {
	left = true;
	for (const transaction of openTransactions) {
		try {
			transaction.abort();
		} catch {
			// Already committing or finished: it ends by itself.
		}
	}
	openTransactions.clear();
	// Opened again on the next use once the page is back (Dexie's auto-open). One the app closed
	// itself stays closed.
	for (const ref of databases) {
		const db = ref.deref();
		if (!db) databases.delete(ref);
		else if (db.isOpen()) db.close({ disableAutoOpen: false });
	}
}

/** True from leaveStorage() until returnToStorage(). */
export function pageIsLeft(): boolean {
	return left;
}

/** The page is shown again from the back/forward cache. */
export function returnToStorage(): void {
	left = false;
}
