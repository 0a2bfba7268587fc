/**
 * Speculative encryption of the scans a consent screen is about to send. Reading a scan from the
 * vault, opening it and encrypting it again in Telegram's format (blob-crypto.ts) is most of the
 * work between Authorize and the service receiving the POST; it can be done while the person
 * reads the consent screen, as soon as the vault is open and the request's scope is known.
 *
 * What is prepared never leaves this object before Authorize: it lives in page memory only (no
 * storage, no message, no request), each blob has its own fresh secret, is handed out once
 * (take), and whatever is not taken is wiped and dropped (discard, or prepare with a set that no
 * longer names it). A prepared blob that was never taken was sent to nobody: without Authorize,
 * the preparation only spent time.
 */

import { wipe } from '../crypto/bytes';
import { encryptBlob, type EncryptedBlob } from './blob-crypto';

export class ScanPreparer {
	readonly #readScan: (id: string) => Promise<Uint8Array>;
	readonly #prepared = new Map<string, Promise<EncryptedBlob>>();
	/** Scans are prepared one after the other, so the screen stays responsive meanwhile. */
	#queue: Promise<unknown> = Promise.resolve();

	/** `readScan` gives a scan's plain bytes from the vault (as buildPassportData's option). */
	constructor(readScan: (id: string) => Promise<Uint8Array>) {
		this.#readScan = readScan;
	}

	/**
	 * Makes the prepared set `ids`: starts the ones not yet prepared, drops the others. Resolves
	 * once every one of them has settled (a failure only means take() will do it then).
	 */
	prepare(ids: Iterable<string>): Promise<void> {
		const wanted = new Set(ids);
		for (const id of [...this.#prepared.keys()]) if (!wanted.has(id)) this.#drop(id);
		const started: Promise<unknown>[] = [];
		for (const id of wanted) {
			if (this.#prepared.has(id)) {
				started.push(this.#prepared.get(id)!.catch(() => undefined));
				continue;
			}
			const blob = this.#queue.then(async () => encryptBlob(await this.#readScan(id)));
			this.#queue = blob.catch(() => undefined);
			this.#prepared.set(id, blob);
			// A failed preparation (vault locked, scan missing) is forgotten: take() does it again
			// and reports the error where it belongs, in the delivery.
			started.push(
				blob.catch(() => {
					if (this.#prepared.get(id) === blob) this.#prepared.delete(id);
				})
			);
		}
		return Promise.all(started).then(() => undefined);
	}

	/** The scan encrypted for sending: the prepared blob (handed out once) or a fresh one. */
	take(id: string): Promise<EncryptedBlob> {
		const prepared = this.#prepared.get(id);
		this.#prepared.delete(id);
		if (!prepared) return this.#readScan(id).then((bytes) => encryptBlob(bytes));
		return prepared.catch(async () => encryptBlob(await this.#readScan(id)));
	}

	/** How many blobs are prepared or being prepared (tests). */
	get size(): number {
		return this.#prepared.size;
	}

	/** Drops everything not taken, wiping each secret once its blob exists. */
	discard(): void {
		for (const id of [...this.#prepared.keys()]) this.#drop(id);
	}

	#drop(id: string): void {
		const blob = this.#prepared.get(id);
		this.#prepared.delete(id);
		blob?.then(
			(dropped) => wipe(dropped.secret),
			() => undefined
		);
	}
}
