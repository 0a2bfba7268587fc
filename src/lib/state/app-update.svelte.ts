/**
 * Registers the service worker with workbox-window and exposes whether a new version is
 * waiting. The new worker only takes over when the person chooses to reload, so a form being
 * filled in is never swapped out from under them.
 */
import { Workbox } from 'workbox-window';

class AppUpdate {
	#waiting = $state(false);
	#workbox: Workbox | undefined;

	get waiting(): boolean {
		return this.#waiting;
	}

	register(): void {
		if (this.#workbox || !('serviceWorker' in navigator)) return;
		// Kit's production worker is a classic script (STACK.md).
		this.#workbox = new Workbox('/service-worker.js', { type: 'classic', scope: '/' });
		this.#workbox.addEventListener('waiting', () => (this.#waiting = true));
		this.#workbox.addEventListener('controlling', (event) => {
			if (event.isUpdate) location.reload();
		});
		// Without a worker the app still runs, online only; nothing to report to the person.
		this.#workbox.register().catch(() => undefined);
		// Look for a new deployment whenever the app comes back to the foreground.
		document.addEventListener('visibilitychange', () => {
			if (document.visibilityState === 'visible') this.#workbox?.update().catch(() => undefined);
		});
	}

	async checkNow(): Promise<void> {
		await this.#workbox?.update();
	}

	reload(): void {
		if (!this.#workbox) return location.reload();
		this.#workbox.messageSkipWaiting();
	}
}

export const appUpdate = new AppUpdate();
