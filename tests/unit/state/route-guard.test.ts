import { describe, expect, it } from 'vitest';
import { redirectFor, safeNext } from '$lib/state/route-guard';

const at = (path: string) => new URL(path, 'http://localhost');

describe('route guard', () => {
	it('sends a new user to setup and a locked one to unlock, keeping the page', () => {
		expect(redirectFor('none', at('/settings'))).toBe('/setup');
		expect(redirectFor('none', at('/setup'))).toBeUndefined();
		expect(redirectFor('locked', at('/element/passport?x=1'))).toBe(
			'/unlock?next=%2Felement%2Fpassport%3Fx%3D1'
		);
		expect(redirectFor('locked', at('/'))).toBe('/unlock');
		expect(redirectFor('locked', at('/reset'))).toBeUndefined();
	});

	it('lets consent and pairing manage their own flow', () => {
		for (const status of ['none', 'locked', 'unlocked'] as const) {
			expect(redirectFor(status, at('/authorize?bot_id=1'))).toBeUndefined();
		}
	});

	it('returns an unlocked user to where they were going, inside the app only', () => {
		expect(redirectFor('unlocked', at('/unlock?next=%2Fsettings'))).toBe('/settings');
		expect(safeNext(at('/unlock?next=https://evil.example'))).toBe('/');
		expect(safeNext(at('/unlock?next=//evil.example'))).toBe('/');
		expect(redirectFor('unlocked', at('/settings'))).toBeUndefined();
	});
});
