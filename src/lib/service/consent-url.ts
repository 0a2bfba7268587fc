/**
 * Builds the consent URL a service sends people to (PROTOCOL.md 1 and 6), and checks it with the
 * wallet's own parser, so a service learns about a bad key, scope or callback when it builds the
 * link, not when a customer clicks it.
 */

import { parseConsentRequest, type ConsentErrorCode, type ResponseMode } from '../passport/request';
import type { PassportElementError } from '../passport/element-errors';

export class ConsentUrlError extends Error {
	constructor(readonly code: ConsentErrorCode) {
		super(`The consent URL would be refused by the wallet: ${code}`);
		this.name = 'ConsentUrlError';
	}
}

/** A scope in any of the three encodings (PROTOCOL.md 2), as JSON text or as the value itself. */
export type ScopeInput =
	string | { v: 1; data: unknown[] } | { v: 1; d: unknown[] } | readonly string[];

export interface BuildConsentUrlOptions {
	/** The wallet's base URL, e.g. https://papiers.example/ ; `authorize` is resolved against it. */
	walletUrl: string;
	/** Decimal string (ids exceed 2^53), or a bigint. */
	botId: string | bigint;
	scope: ScopeInput;
	/** RSA public key, PEM (SPKI or PKCS#1), 2048 bits or more. */
	publicKey: string;
	/** A fresh one-time value per request; the service checks it on delivery. */
	nonce: string;
	callbackUrl: string;
	responseMode?: ResponseMode;
	/** Shown beside the callback's origin, never instead of it. */
	serviceName?: string;
	/** Problems found in an earlier delivery (PROTOCOL.md 5), to send the person back. */
	errors?: readonly PassportElementError[];
}

function authorizeUrl(walletUrl: string): URL {
	const base = new URL(walletUrl);
	if (base.pathname.endsWith('/authorize')) return base;
	if (!base.pathname.endsWith('/')) base.pathname += '/';
	return new URL('authorize', base);
}

export function buildConsentUrl(options: BuildConsentUrlOptions): string {
	const url = authorizeUrl(options.walletUrl);
	const scope = typeof options.scope === 'string' ? options.scope : JSON.stringify(options.scope);
	const legacy = scope.trimStart().startsWith('[');
	const params = new URLSearchParams();
	params.set('bot_id', String(options.botId));
	params.set('scope', scope);
	params.set('public_key', options.publicKey);
	// Legacy-array scopes carry the nonce as `payload` (PROTOCOL.md 2.3).
	params.set(legacy ? 'payload' : 'nonce', options.nonce);
	params.set('callback_url', options.callbackUrl);
	if (options.responseMode) params.set('response_mode', options.responseMode);
	if (options.serviceName) params.set('service_name', options.serviceName);
	if (options.errors && options.errors.length > 0)
		params.set('errors', JSON.stringify(options.errors));
	// URLSearchParams writes spaces as '+'; %20 survives every decoder a wallet might use.
	url.search = params.toString().replace(/\+/g, '%20');
	const checked = parseConsentRequest({ query: url.search });
	if (!checked.ok) throw new ConsentUrlError(checked.code);
	return url.href;
}
