/**
 * The app's password-key deriver: Argon2id in a long-lived Web Worker, so the wasm module is
 * compiled once and the UI stays responsive. Falls back to this thread where Workers are absent.
 *
 * The worker's memory held the password and the key derived from it (Argon2id's 64 MiB of
 * blocks are computed from both), so locking ends the worker (terminateKdfWorker); the next
 * derivation, at unlock, starts a fresh one.
 */
import type { KdfParams } from '$lib/crypto/kdf-params';
import type { PasswordKeyDeriver } from './vault';

/** A derivation that was still running when the wallet locked. */
export class KdfStoppedError extends Error {
	constructor() {
		super('Key derivation stopped: the wallet locked');
		this.name = 'KdfStoppedError';
	}
}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<
	number,
	{ resolve: (key: Uint8Array) => void; reject: (e: Error) => void }
>();

function rejectPending(error: Error): void {
	const requests = [...pending.values()];
	pending.clear();
	for (const request of requests) request.reject(error);
}

function getWorker(): Worker {
	if (worker) return worker;
	const created = new Worker(new URL('./kdf.worker.ts', import.meta.url), { type: 'module' });
	created.onmessage = (event: MessageEvent<{ id: number; key?: Uint8Array; error?: string }>) => {
		const request = pending.get(event.data.id);
		if (!request) return;
		pending.delete(event.data.id);
		if (event.data.key) request.resolve(event.data.key);
		else request.reject(new Error(event.data.error ?? 'Key derivation failed'));
	};
	created.onerror = (event) => {
		// Only the current worker's failure concerns the pending requests.
		if (worker !== created) return;
		worker = undefined;
		created.terminate();
		rejectPending(new Error(event.message || 'Key derivation failed'));
	};
	worker = created;
	return created;
}

/**
 * Ends the worker and everything in its memory. Derivations still running reject with
 * KdfStoppedError; the next derivation starts a new worker.
 */
export function terminateKdfWorker(): void {
	const current = worker;
	worker = undefined;
	if (current) {
		current.onmessage = null;
		current.onerror = null;
		current.terminate();
	}
	if (pending.size) rejectPending(new KdfStoppedError());
}

export const deriveInWorker: PasswordKeyDeriver = (password: string, params: KdfParams) => {
	if (typeof Worker === 'undefined') {
		return import('$lib/crypto/kdf').then(({ deriveKeyFromPassword }) =>
			deriveKeyFromPassword({ password, params })
		);
	}
	return new Promise((resolve, reject) => {
		const id = nextId++;
		pending.set(id, { resolve, reject });
		getWorker().postMessage({ id, password, params });
	});
};
