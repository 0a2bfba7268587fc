/** "just now", "3 minutes ago", "il y a 2 jours": when something last happened, in words. */
import { m } from '$lib/paraglide/messages.js';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
	['day', 86_400_000],
	['hour', 3_600_000],
	['minute', 60_000]
];

export function formatAgo(at: number, locale: string, now = Date.now()): string {
	const elapsed = Math.max(0, now - at);
	if (elapsed < 45_000) return m.sync_just_now();
	const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
	for (const [unit, size] of UNITS) {
		if (elapsed >= size || unit === 'minute') {
			return format.format(-Math.max(1, Math.round(elapsed / size)), unit);
		}
	}
	return m.sync_just_now();
}

/** A clock for relative times: re-renders every 20 s while something shows it. */
export function ticking(onTick: (now: number) => void): () => void {
	const timer = setInterval(() => onTick(Date.now()), 20_000);
	return () => clearInterval(timer);
}
