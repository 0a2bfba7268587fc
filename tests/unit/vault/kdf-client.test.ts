/**
 * The KDF worker client with a stand-in Worker: locking ends the worker that held the password
 * and the derived key, derivations still running reject plainly, and the next one gets a fresh
 * worker. (Node has no Worker; the real worker is exercised by the e2e suites.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KdfParams } from '$lib/crypto/kdf-params';

interface KdfRequest {
	id: number;
	password: string;
	params: KdfParams;
}

class FakeWorker {
	static made: FakeWorker[] = [];
	onmessage: ((event: { data: unknown }) => void) | null = null;
	onerror: ((event: { message: string }) => void) | null = null;
	received: KdfRequest[] = [];
	terminated = false;

	constructor() {
		FakeWorker.made.push(this);
	}

	postMessage(request: KdfRequest): void {
		if (this.terminated) throw new Error('posted to a terminated worker');
		this.received.push(request);
	}

	terminate(): void {
		this.terminated = true;
	}

	/** What the real worker does once Argon2id finishes. */
	answer(request: KdfRequest, key: Uint8Array): void {
		this.onmessage?.({ data: { id: request.id, key } });
	}
}

const params: KdfParams = {
	algorithm: 'argon2id',
	memoryKiB: 1024,
	iterations: 1,
	parallelism: 1,
	salt: new Uint8Array(16)
};

async function loadClient() {
	vi.resetModules(); // a fresh module: no worker left over from another test
	return import('$lib/vault/kdf-client');
}

describe('KDF worker client', () => {
	beforeEach(() => {
		FakeWorker.made = [];
		vi.stubGlobal('Worker', FakeWorker);
	});
	afterEach(() => {
		vi.unstubAllGlobals();
	});

	it('keeps one worker for successive derivations', async () => {
		const { deriveInWorker } = await loadClient();
		const first = deriveInWorker('pw', params);
		const [worker] = FakeWorker.made;
		worker.answer(worker.received[0], new Uint8Array([1]));
		await expect(first).resolves.toEqual(new Uint8Array([1]));
		const second = deriveInWorker('pw', params);
		worker.answer(worker.received[1], new Uint8Array([2]));
		await expect(second).resolves.toEqual(new Uint8Array([2]));
		expect(FakeWorker.made).toHaveLength(1);
	});

	it('terminate ends the worker, rejects what was running, and the next derivation makes a new worker', async () => {
		const { deriveInWorker, terminateKdfWorker, KdfStoppedError } = await loadClient();
		const running = deriveInWorker('the password', params);
		const alsoRunning = deriveInWorker('the password', params);
		const [old] = FakeWorker.made;
		expect(old.received).toHaveLength(2);

		terminateKdfWorker();

		expect(old.terminated).toBe(true);
		await expect(running).rejects.toBeInstanceOf(KdfStoppedError);
		await expect(alsoRunning).rejects.toThrow('Key derivation stopped: the wallet locked');

		const next = deriveInWorker('the password', params);
		expect(FakeWorker.made).toHaveLength(2);
		const fresh = FakeWorker.made[1];
		expect(fresh).not.toBe(old);
		expect(fresh.terminated).toBe(false);
		// A late answer from the old worker reaches nobody: its handlers were dropped.
		expect(old.onmessage).toBeNull();
		fresh.answer(fresh.received[0], new Uint8Array([3]));
		await expect(next).resolves.toEqual(new Uint8Array([3]));
	});

	it('terminate with no worker yet does nothing, and derivation still works after', async () => {
		const { deriveInWorker, terminateKdfWorker } = await loadClient();
		terminateKdfWorker();
		expect(FakeWorker.made).toHaveLength(0);
		const derived = deriveInWorker('pw', params);
		const [worker] = FakeWorker.made;
		worker.answer(worker.received[0], new Uint8Array([4]));
		await expect(derived).resolves.toEqual(new Uint8Array([4]));
	});

	it('a worker error rejects what was running and the next derivation makes a new worker', async () => {
		const { deriveInWorker } = await loadClient();
		const running = deriveInWorker('pw', params);
		const [broken] = FakeWorker.made;
		broken.onerror?.({ message: 'wasm out of memory' });
		await expect(running).rejects.toThrow('wasm out of memory');
		expect(broken.terminated).toBe(true);
		const next = deriveInWorker('pw', params);
		expect(FakeWorker.made).toHaveLength(2);
		const fresh = FakeWorker.made[1];
		fresh.answer(fresh.received[0], new Uint8Array([5]));
		await expect(next).resolves.toEqual(new Uint8Array([5]));
	});
});
