/**
 * A page the browser keeps in its back/forward cache locks as it goes and lets go of storage
 * (vault/page-leave.ts says why WebKit needs that), so the unlocked vault does not wait in the
 * cache with its keys either. Shown again with Back, it is a locked wallet, as a new page would be.
 * A page that is unloaded for good needs none of this: the browser ends everything it held.
 */
import { leaveStorage, returnToStorage } from '$lib/vault/page-leave';

export function lockWhenLeft(options: {
	lock: () => void;
	/** After the page is shown again (the lock's redirect waits until then). */
	onReturn: () => void;
	target?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
}): () => void {
	const target = options.target ?? window;
	const hide = (event: Event) => {
		if (!(event as PageTransitionEvent).persisted) return;
		// Locking first lets sync and the elements stop with the storage still theirs; what they
		// still have open is aborted after.
		options.lock();
		leaveStorage();
	};
	const show = (event: Event) => {
		if (!(event as PageTransitionEvent).persisted) return;
		returnToStorage();
		options.onReturn();
	};
	target.addEventListener('pagehide', hide);
	target.addEventListener('pageshow', show);
	return () => {
		target.removeEventListener('pagehide', hide);
		target.removeEventListener('pageshow', show);
	};
}
