/**
 * Where a person may be, given the vault's state. Pages that manage their own flow
 * (consent, pairing) are always reachable: they create or unlock a vault in place.
 */
import type { SessionStatus } from './session.svelte';

const SELF_MANAGED = ['/authorize', '/pair'];
const NEEDS_NO_VAULT = ['/setup'];
const NEEDS_LOCKED = ['/unlock'];
/** Erasing is offered both from the unlock screen (forgotten password) and from settings. */
const RESET = ['/reset'];

function matches(pathname: string, prefixes: string[]): boolean {
	return prefixes.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** The path to go to instead, or undefined to stay. `next` carries the page to return to. */
export function redirectFor(status: SessionStatus, url: URL): string | undefined {
	const { pathname } = url;
	if (status === 'loading' || matches(pathname, SELF_MANAGED)) return undefined;
	const here = pathname + url.search;
	if (status === 'none') return matches(pathname, NEEDS_NO_VAULT) ? undefined : '/setup';
	if (status === 'locked') {
		if (matches(pathname, [...NEEDS_LOCKED, ...RESET])) return undefined;
		return matches(pathname, NEEDS_NO_VAULT) || pathname === '/'
			? '/unlock'
			: `/unlock?next=${encodeURIComponent(here)}`;
	}
	if (matches(pathname, [...NEEDS_NO_VAULT, ...NEEDS_LOCKED])) return safeNext(url);
	return undefined;
}

/**
 * Only same-app paths are followed, so `?next=` cannot send anyone to another site. The check is
 * the URL parser's own answer (it drops tabs and newlines and reads `\` as `/`, so string tests
 * on the raw value miss `/\t/evil.example`), and what is returned is the parsed path, so the
 * browser follows exactly what was checked.
 */
export function safeNext(url: URL): string {
	const next = url.searchParams.get('next');
	// A path, spelled plainly: no control character, space or backslash for the parser to rewrite.
	if (!next || !next.startsWith('/') || /[\u0000-\u0020\u007f\\]/.test(next)) return '/';
	let target: URL;
	try {
		target = new URL(next, url.origin);
	} catch {
		return '/';
	}
	if (target.origin !== url.origin) return '/';
	const path = target.pathname + target.search + target.hash;
	// `/.//evil.example` parses to the path `//evil.example`, which as an href is another host.
	if (path.startsWith('//')) return '/';
	return routerCanDecode(target) ? path : '/';
}

/**
 * SvelteKit's router runs decodeURI on the path and decodeURIComponent on the fragment: on a
 * broken escape its goto throws, and a page waiting on the redirect would wait forever.
 */
function routerCanDecode(target: URL): boolean {
	try {
		decodeURI(target.pathname);
		decodeURIComponent(target.hash.slice(1));
		return true;
	} catch {
		return false;
	}
}
