/**
 * Device settings: kept per device in localStorage (never synced): auto-lock delay and language.
 * Language itself is stored by Paraglide's localStorage strategy; this module makes it reactive.
 */
import { getLocale, setLocale, locales } from '$lib/paraglide/runtime.js';

export type Locale = (typeof locales)[number];

const AUTO_LOCK_KEY = 'papiers.autoLockMinutes';
export const AUTO_LOCK_CHOICES = [1, 2, 5, 10, 15, 30, 60] as const;
export const DEFAULT_AUTO_LOCK_MINUTES = 5;

/**
 * localStorage throws where the browser blocks storage (a cross-site frame, cookies off): the
 * settings then last for the page, and the app still starts.
 */
function readStored(key: string): string | null {
	try {
		return globalThis.localStorage?.getItem(key) ?? null;
	} catch {
		return null;
	}
}

function writeStored(key: string, value: string): void {
	try {
		localStorage.setItem(key, value);
	} catch {
		// Kept in memory only.
	}
}

function readAutoLock(): number {
	const stored = Number(readStored(AUTO_LOCK_KEY));
	return (AUTO_LOCK_CHOICES as readonly number[]).includes(stored)
		? stored
		: DEFAULT_AUTO_LOCK_MINUTES;
}

class DeviceSettings {
	#autoLockMinutes = $state(readAutoLock());
	#locale = $state<Locale>(getLocale());

	get autoLockMinutes(): number {
		return this.#autoLockMinutes;
	}

	set autoLockMinutes(minutes: number) {
		if (!(AUTO_LOCK_CHOICES as readonly number[]).includes(minutes)) return;
		this.#autoLockMinutes = minutes;
		writeStored(AUTO_LOCK_KEY, String(minutes));
	}

	get locale(): Locale {
		return this.#locale;
	}

	/** Switches language in place: a reload would lock the vault. */
	set locale(locale: Locale) {
		if (!locales.includes(locale)) return;
		setLocale(locale, { reload: false });
		this.#locale = locale;
		document.documentElement.lang = locale;
	}
}

export const deviceSettings = new DeviceSettings();
