/**
 * Locks the vault after a period without interaction, and when the app comes back after being
 * hidden that long (phones suspend timers in the background, so the timer alone is not enough).
 */
const ACTIVITY_EVENTS = [
	'pointerdown',
	'keydown',
	'touchstart',
	'wheel',
	'input',
	'change'
] as const;

export function startAutoLock(options: { minutes: () => number; onLock: () => void }): () => void {
	let timer: ReturnType<typeof setTimeout> | undefined;
	let hiddenAt: number | undefined;

	const delayMs = () => options.minutes() * 60_000;
	const restart = () => {
		clearTimeout(timer);
		timer = setTimeout(options.onLock, delayMs());
	};
	const onVisibility = () => {
		if (document.visibilityState === 'hidden') {
			hiddenAt = Date.now();
		} else {
			if (hiddenAt !== undefined && Date.now() - hiddenAt >= delayMs()) options.onLock();
			else restart();
			hiddenAt = undefined;
		}
	};

	for (const name of ACTIVITY_EVENTS) window.addEventListener(name, restart, { passive: true });
	document.addEventListener('visibilitychange', onVisibility);
	restart();

	return () => {
		clearTimeout(timer);
		for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, restart);
		document.removeEventListener('visibilitychange', onVisibility);
	};
}
