/**
 * The app's password-key deriver: Argon2id in a long-lived Web Worker, so the wasm module is
 * compiled once and the UI stays responsive. Falls back to this thread where Workers are absent.
 */
import type { KdfParams } from '$lib/crypto/kdf-params';
import type { PasswordKeyDeriver } from './vault';

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<
	number,
	{ resolve: (key: Uint8Array) => void; reject: (e: Error) => void }
>();

function getWorker(): Worker {
	if (!worker) {
		worker = new Worker(new URL('./kdf.worker.ts', import.meta.url), { type: 'module' });
		worker.onmessage = (event: MessageEvent<{ id: number; key?: Uint8Array; error?: string }>) => {
			const request = pending.get(event.data.id);
			if (!request) return;
			pending.delete(event.data.id);
			if (event.data.key) request.resolve(event.data.key);
			else request.reject(new Error(event.data.error ?? 'Key derivation failed'));
		};
		worker.onerror = (event) => {
			for (const request of pending.values()) request.reject(new Error(event.message));
			pending.clear();
			worker = undefined;
		};
	}
	return worker;
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
