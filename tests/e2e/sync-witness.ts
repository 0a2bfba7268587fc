/**
 * What a device showed and stored, read from outside the app for the sync e2e: every key-change
 * notice and "removed" notice its page ever displayed (so a notice that came and went between two
 * checks is not missed), and the rows of its databases.
 */
import type { Page } from '@playwright/test';

interface Seen {
	keyChanges: string[];
	removed: number;
}

/**
 * Starts recording, in the page, each text the key-change notice shows and each time the
 * "removed" notice appears. Kept across in-app navigation (a reload would lock the vault anyway).
 */
export async function recordNotices(page: Page): Promise<void> {
	await page.evaluate(() => {
		const seen = { keyChanges: [] as string[], removed: 0 };
		let removedShown = false;
		const look = () => {
			const title = document.querySelector('[data-testid="key-change"] h2')?.textContent?.trim();
			if (title && !seen.keyChanges.includes(title)) seen.keyChanges.push(title);
			const removed = !!document.querySelector('[data-testid="device-removed"]');
			if (removed && !removedShown) seen.removed++;
			removedShown = removed;
		};
		(window as unknown as { __papiersSeen: typeof seen }).__papiersSeen = seen;
		new MutationObserver(look).observe(document.body, {
			childList: true,
			subtree: true,
			characterData: true
		});
		look();
	});
}

export function noticesShown(page: Page): Promise<Seen> {
	return page.evaluate(() => (window as unknown as { __papiersSeen: Seen }).__papiersSeen);
}

/** The sync status rows (one per room) of the device's own database that say "removed". */
export function storedRemovals(page: Page): Promise<string[]> {
	return page.evaluate(
		() =>
			new Promise<string[]>((resolve, reject) => {
				const request = indexedDB.open('papiers-device');
				request.onerror = () => reject(request.error);
				request.onsuccess = () => {
					const db = request.result;
					const all = db.transaction('state').objectStore('state').getAll();
					all.onsuccess = () => {
						db.close();
						resolve(
							(all.result as { id: string; value: { removed?: boolean } | null }[])
								.filter((row) => row.id.startsWith('status:') && row.value?.removed === true)
								.map((row) => row.id)
						);
					};
					all.onerror = () => reject(all.error);
				};
			})
	);
}

/** The wrapped key of the device's 'main' or 'pending' vault header ('' when there is none). */
export function storedHeaderKey(page: Page, id: 'main' | 'pending' = 'main'): Promise<string> {
	return page.evaluate(
		(which) =>
			new Promise<string>((resolve, reject) => {
				const request = indexedDB.open('papiers');
				request.onerror = () => reject(request.error);
				request.onsuccess = () => {
					const get = request.result.transaction('header').objectStore('header').get(which);
					get.onsuccess = () => {
						request.result.close();
						const row = get.result as { wrappedKey: Uint8Array } | undefined;
						resolve(row ? Array.from(row.wrappedKey).join(',') : '');
					};
					get.onerror = () => reject(get.error);
				};
			}),
		id
	);
}
