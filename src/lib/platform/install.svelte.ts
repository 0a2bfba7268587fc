/**
 * Installing the app. Chromium browsers fire `beforeinstallprompt` when the app can be installed:
 * the event is kept, and "Install Papiers" calls its prompt(). iOS has no such event: the person
 * adds the app from Safari's Share menu, which a sheet shows once (and Settings again).
 * Nothing here is offered once the app runs installed (display-mode: standalone) or after
 * `appinstalled`.
 */
import { currentPlatform, isStandalone } from './features';

/** What Chromium passes to `beforeinstallprompt` (not in TypeScript's DOM types). */
export interface InstallPromptEvent extends Event {
	prompt(): Promise<unknown>;
	readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

const IOS_SHEET_SEEN_KEY = 'papiers.install.iosSheetSeen';

class InstallState {
	/** The deferred prompt, while the browser offers one. */
	#prompt = $state.raw<InstallPromptEvent | undefined>();
	installed = $state(false);
	standalone = $state(false);
	ios = $state(false);
	/** The "Share → Add to Home Screen" sheet is open. */
	iosSheetOpen = $state(false);
	#started = false;
	#offered = false;

	/** The "Install Papiers" button shows. */
	get canPrompt(): boolean {
		return this.#prompt !== undefined && !this.installed && !this.standalone;
	}

	/** iPhone or iPad, in a browser tab: adding to the Home Screen is the way to install. */
	get iosInBrowser(): boolean {
		return this.ios && !this.standalone && !this.installed;
	}

	/**
	 * Listens once, from the layout, as early as the app runs. `offerIosSheet`: false where the
	 * sheet would get in the way (a consent request, pairing); it then waits for another page.
	 */
	start({ offerIosSheet }: { offerIosSheet: boolean }): void {
		if (typeof window === 'undefined') return;
		if (!this.#started) this.#listen();
		if (offerIosSheet && !this.#offered) this.#offerIosSheet();
	}

	#listen(): void {
		this.#started = true;
		this.standalone = isStandalone();
		this.ios = currentPlatform().os === 'ios';
		addEventListener('beforeinstallprompt', (event) => {
			// The browser's own mini-infobar gives way to the app's button.
			event.preventDefault();
			this.#prompt = event as InstallPromptEvent;
		});
		addEventListener('appinstalled', () => {
			this.installed = true;
			this.#prompt = undefined;
		});
		window
			.matchMedia?.('(display-mode: standalone)')
			.addEventListener?.('change', (event) => (this.standalone = event.matches));
	}

	/** Once per page load at most: closing it marks it seen for good. */
	#offerIosSheet(): void {
		this.#offered = true;
		if (this.iosInBrowser && !this.#iosSheetSeen()) this.iosSheetOpen = true;
	}

	/** Shows the browser's install dialog; a prompt can be used only once. */
	async install(): Promise<void> {
		const event = this.#prompt;
		if (!event) return;
		this.#prompt = undefined;
		try {
			await event.prompt();
			const choice = await event.userChoice;
			if (choice.outcome === 'accepted') this.installed = true;
		} catch {
			// The browser refused to show it (already shown, or no user gesture): nothing to undo.
		}
	}

	openIosSheet(): void {
		this.iosSheetOpen = true;
	}

	closeIosSheet(): void {
		this.iosSheetOpen = false;
		try {
			localStorage.setItem(IOS_SHEET_SEEN_KEY, '1');
		} catch {
			// Storage refused (private mode): the sheet may show again, which is harmless.
		}
	}

	#iosSheetSeen(): boolean {
		try {
			return localStorage.getItem(IOS_SHEET_SEEN_KEY) === '1';
		} catch {
			return false;
		}
	}
}

export const install = new InstallState();
