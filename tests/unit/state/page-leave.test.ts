import { afterEach, describe, expect, it, vi } from 'vitest';
import { lockWhenLeft } from '$lib/state/page-leave';
import { pageIsLeft, returnToStorage } from '$lib/vault/page-leave';

const transition = (type: 'pagehide' | 'pageshow', persisted: boolean) =>
	Object.assign(new Event(type), { persisted });

afterEach(() => returnToStorage());

describe('a page left for the back/forward cache', () => {
	it('locks and releases storage as it goes, and redirects only once shown again', () => {
		const page = new EventTarget();
		const order: string[] = [];
		const stop = lockWhenLeft({
			lock: () => order.push(`lock (storage left: ${pageIsLeft()})`),
			onReturn: () => order.push(`return (storage left: ${pageIsLeft()})`),
			target: page
		});

		page.dispatchEvent(transition('pagehide', true));
		expect(pageIsLeft()).toBe(true);
		page.dispatchEvent(transition('pageshow', true));
		expect(pageIsLeft()).toBe(false);
		expect(order).toEqual(['lock (storage left: false)', 'return (storage left: false)']);
		stop();
	});

	it('does nothing for a page unloaded for good or loaded fresh', () => {
		const page = new EventTarget();
		const lock = vi.fn();
		const onReturn = vi.fn();
		const stop = lockWhenLeft({ lock, onReturn, target: page });
		page.dispatchEvent(transition('pagehide', false));
		page.dispatchEvent(transition('pageshow', false));
		expect(lock).not.toHaveBeenCalled();
		expect(onReturn).not.toHaveBeenCalled();
		expect(pageIsLeft()).toBe(false);
		stop();
		page.dispatchEvent(transition('pagehide', true));
		expect(lock).not.toHaveBeenCalled();
	});
});
