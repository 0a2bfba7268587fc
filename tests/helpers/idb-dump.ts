/**
 * Reads every value of every object store of an IndexedDB database, without Dexie, and returns
 * it as one string in which binary data appears byte for byte (latin1), so a search for a
 * marker finds it whether it was stored as text or inside an unencrypted byte array.
 */
export async function dumpIndexedDb(name: string): Promise<string> {
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open(name);
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
	const parts: string[] = [];
	for (const storeName of Array.from(db.objectStoreNames)) {
		const values = await new Promise<unknown[]>((resolve, reject) => {
			const request = db.transaction(storeName).objectStore(storeName).getAll();
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		for (const value of values) parts.push(flatten(value));
	}
	db.close();
	return parts.join('\n');
}

function flatten(value: unknown): string {
	if (value instanceof Uint8Array) return Array.from(value, (b) => String.fromCharCode(b)).join('');
	if (value instanceof ArrayBuffer) return flatten(new Uint8Array(value));
	if (Array.isArray(value)) return value.map(flatten).join(' ');
	if (value && typeof value === 'object') {
		return Object.entries(value)
			.map(([k, v]) => `${k}:${flatten(v)}`)
			.join(' ');
	}
	return String(value);
}
