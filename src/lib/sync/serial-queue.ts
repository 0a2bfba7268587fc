/**
 * Runs async tasks one after another, in the order they were queued, so two reconciliations
 * never interleave. A failed task is reported and the queue goes on with the next one.
 */
export class SerialQueue {
	#tail: Promise<void> = Promise.resolve();

	constructor(private readonly onError: (error: unknown) => void) {}

	/** Queues `task`; the returned promise rejects with its error (the queue itself does not). */
	run(task: () => Promise<void> | void): Promise<void> {
		const run = this.#tail.then(task);
		this.#tail = run.catch(this.onError);
		return run;
	}

	/** Resolves once nothing is running, including tasks queued while waiting. */
	async settled(): Promise<void> {
		let awaited: Promise<void>;
		do {
			awaited = this.#tail;
			await awaited;
		} while (awaited !== this.#tail);
	}
}
