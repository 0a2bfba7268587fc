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

/** Only same-app paths are followed, so `?next=` cannot send anyone to another site. */
export function safeNext(url: URL): string {
	const next = url.searchParams.get('next');
	return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')
		? next
		: '/';
}
