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
		// WebKit, in a session that keeps nothing on disk (WebKitGTK under automation; likely
		// private browsing too), forgets the precache the worker wrote once the app has gone to
		// another site and come back, unless a page of the app has used the Cache API itself: the
		// worker then finds no shell and the app does not open offline (tests/engines, offline
		// step). One look from the page keeps it.
		void navigator.serviceWorker.ready.then(() => caches.has('')).catch(() => undefined);
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
