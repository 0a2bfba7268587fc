import { describe, expect, it } from 'vitest';
import { redirectFor, safeNext } from '$lib/state/route-guard';

const ORIGIN = 'http://localhost';
const at = (path: string) => new URL(path, ORIGIN);
/** The page `/unlock?next=<value>`, with `value` encoded the way a link would carry it. */
const unlockWith = (value: string) => at(`/unlock?next=${encodeURIComponent(value)}`);

/** Where a browser lands when it follows `href` from a wallet page (an <a> or goto). */
const landing = (href: string) => new URL(href, `${ORIGIN}/element/passport`);

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

	it('keeps the query and fragment of a page inside the app', () => {
		expect(safeNext(unlockWith('/element/passport?x=1&y=2#top'))).toBe(
			'/element/passport?x=1&y=2#top'
		);
		expect(safeNext(unlockWith('/history'))).toBe('/history');
		expect(safeNext(at('/element/passport'))).toBe('/');
	});
});

describe('safeNext against the URL parser’s rewrites (WHATWG: tabs and newlines dropped, \\ as /)', () => {
	// Each of these, followed as an href or by goto, would leave the wallet's origin (or run
	// script) if taken as it is.
	const attacks = [
		'/\t/evil.example',
		'/\n/evil.example',
		'/\r/evil.example',
		'/\r\n/evil.example',
		'/\t\\evil.example',
		'/\\\t/evil.example',
		'\\\\evil.example',
		'\\/evil.example',
		'/\\/evil.example',
		'/\\evil.example',
		'//evil.example',
		'///evil.example',
		'/\t\t/evil.example/path?q=1',
		'\t//evil.example',
		'\n//evil.example',
		'  //evil.example',
		' /\t/evil.example',
		'\u0000//evil.example',
		'\u001f//evil.example',
		'\u000c//evil.example',
		'/.//evil.example',
		'/./\t/evil.example',
		'/x/..//evil.example',
		'/%2e//evil.example',
		'/%2E%2E//evil.example',
		'https:evil.example',
		'https:/evil.example',
		'https://evil.example',
		'HTTPS://evil.example',
		'http:\\\\evil.example',
		'javascript:alert(1)',
		'JaVaScRiPt:alert(1)',
		'java\tscript:alert(1)',
		'\tjavascript:alert(1)',
		'data:text/html,<script>alert(1)</script>',
		'blob:https://evil.example/1',
		'vbscript:msgbox(1)',
		'mailto:someone@evil.example',
		'//user@evil.example',
		'/@evil.example',
		'evil.example',
		'./evil',
		''
	];

	for (const attack of attacks) {
		it(`never leaves the origin for ${JSON.stringify(attack)}`, () => {
			const next = safeNext(unlockWith(attack));
			expect(next.startsWith('/')).toBe(true);
			expect(landing(next).origin).toBe(ORIGIN);
			expect(landing(next).protocol).toBe('http:');
			// Taken as a path, the result parses back to itself: no character the parser would
			// drop or turn into a slash, so what is tested is what the browser follows.
			const followed = landing(next);
			expect(followed.pathname + followed.search + followed.hash).toBe(next);
		});
	}

	it('the attacks from the report fall back to the overview', () => {
		for (const attack of ['/\t/evil.example', '/\n/evil', '/\r/evil', '/\t\\evil', '//evil']) {
			expect(safeNext(unlockWith(attack))).toBe('/');
			// An unlocked person on /unlock is sent on to "/", never left waiting on a refused goto.
			expect(redirectFor('unlocked', unlockWith(attack))).toBe('/');
		}
	});

	it('refuses a path or fragment the router cannot decode, so goto never throws on it', () => {
		// SvelteKit runs decodeURI on the path and decodeURIComponent on the fragment.
		for (const next of ['/%E0%A4%A', '/element/passport%C0', '/settings#%E0%A4%A', '/%']) {
			expect(safeNext(unlockWith(next)), next).toBe('/');
			expect(redirectFor('unlocked', unlockWith(next)), next).toBe('/');
		}
		expect(safeNext(unlockWith('/settings?q=%E0%A4%A'))).toBe('/settings?q=%E0%A4%A');
		expect(safeNext(unlockWith('/element/passport#top%20part'))).toBe(
			'/element/passport#top%20part'
		);
	});

	it('an encoded tab or slash stays part of a path inside the app', () => {
		// `%09` and `%2F` are not decoded by the URL parser: `/%09/evil.example` is a path here.
		for (const next of ['/%09/evil.example', '/%2F/evil.example', '/%5Cevil.example']) {
			expect(landing(safeNext(unlockWith(next))).origin).toBe(ORIGIN);
		}
	});
});
