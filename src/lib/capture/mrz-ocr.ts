/**
 * "Fill from the photo": sends a photo to the MRZ worker and hands back the MRZ lines it read.
 * Loaded with a dynamic import when the person asks, so neither this module, the worker nor the
 * engine weigh on any page's first load. One worker for the page's life: the engine and its model
 * (some megabytes) load once.
 */
import type { MrzOcrFailure, MrzOcrReply } from './mrz-ocr-protocol.js';

export type { MrzOcrFailure } from './mrz-ocr-protocol.js';

export type MrzOcrResult =
	| { ok: true; text: string; readMs: number; startMs: number }
	| { ok: false; reason: MrzOcrFailure; message: string };

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, (reply: MrzOcrReply) => void>();

function mrzWorker(): Worker {
	if (worker) return worker;
	worker = new Worker(new URL('./mrz-ocr.worker.ts', import.meta.url), { type: 'module' });
	worker.onmessage = (event: MessageEvent<MrzOcrReply>) => {
		pending.get(event.data.id)?.(event.data);
		pending.delete(event.data.id);
	};
	worker.onerror = (event) => {
		// The worker could not start (its script failed to load): fail what waits, start over next time.
		for (const [id, resolve] of pending) {
			resolve({
				id,
				ok: false,
				reason: 'unsupported',
				message: event.message,
				readMs: 0,
				startMs: 0
			});
		}
		pending.clear();
		worker?.terminate();
		worker = undefined;
	};
	return worker;
}

export function readMrzPhoto(photo: Blob): Promise<MrzOcrResult> {
	const id = nextId++;
	return new Promise((resolve) => {
		pending.set(id, (reply) =>
			resolve(
				reply.ok
					? { ok: true, text: reply.text, readMs: reply.readMs, startMs: reply.startMs }
					: { ok: false, reason: reply.reason, message: reply.message }
			)
		);
		mrzWorker().postMessage({ id, photo });
	});
}
