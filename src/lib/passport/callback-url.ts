/**
 * The service's `callback_url` (PROTOCOL.md 1): the only place the wallet ever navigates to
 * on a service's behalf, so it is checked strictly: `https:`, or `http:` on a loopback host,
 * no credentials, nothing relative. Also the appender that adds `tg_passport=…` to it the way
 * Telegram Desktop does (`?` or `&`, any `#fragment` kept after the query).
 */

export const MAX_CALLBACK_URL_LENGTH = 2048;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface CallbackTarget {
	/** The URL as the WHATWG parser serialises it: what the wallet navigates to. */
	url: string;
	/** What the consent screen shows as the recipient. */
	origin: string;
}

/** Returns the normalised callback, or undefined when the wallet must not navigate there. */
export function parseCallbackUrl(text: string | null | undefined): CallbackTarget | undefined {
	if (typeof text !== 'string' || text.length === 0 || text.length > MAX_CALLBACK_URL_LENGTH) {
		return undefined;
	}
	// The URL parser silently drops tabs and newlines and trims control characters, which would let
	// "java\nscript:" or a disguised host through to display; refuse them outright instead.
	if (/[\u0000-\u0020\u007f-\u009f]/.test(text)) return undefined;
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return undefined; // relative, or not a URL at all
	}
	if (url.username !== '' || url.password !== '') return undefined;
	const secure = url.protocol === 'https:';
	const loopback = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
	if (!secure && !loopback) return undefined;
	if (url.hostname === '') return undefined;
	return { url: url.href, origin: url.origin };
}

/** True for what parseCallbackUrl accepts; for checks at the last moment before navigating. */
export function isAllowedCallbackUrl(text: string): boolean {
	return parseCallbackUrl(text) !== undefined;
}

/**
 * Appends `query` (already encoded, without a leading `?` or `&`) to the callback's query,
 * keeping any fragment after it.
 */
export function appendToCallbackUrl(options: { callbackUrl: string; query: string }): string {
	const { callbackUrl, query } = options;
	const hashAt = callbackUrl.indexOf('#');
	const base = hashAt < 0 ? callbackUrl : callbackUrl.slice(0, hashAt);
	const fragment = hashAt < 0 ? '' : callbackUrl.slice(hashAt);
	let separator = '&';
	if (!base.includes('?')) separator = '?';
	else if (base.endsWith('?') || base.endsWith('&')) separator = '';
	return `${base}${separator}${query}${fragment}`;
}

/** `callback_url` + `tg_passport=error&error=CODE`. */
export function buildErrorCallbackUrl(options: { callbackUrl: string; code: string }): string {
	const query = `tg_passport=error&error=${encodeURIComponent(options.code)}`;
	return appendToCallbackUrl({ callbackUrl: options.callbackUrl, query });
}

/** `callback_url` + `tg_passport=cancel`, for after the person confirms. */
export function buildCancelCallbackUrl(options: { callbackUrl: string }): string {
	return appendToCallbackUrl({ callbackUrl: options.callbackUrl, query: 'tg_passport=cancel' });
}
