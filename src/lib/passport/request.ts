/**
 * The consent URL's query (PROTOCOL.md section 1) into a checked request, or into the error code
 * the wallet shows, with the callback to report it to when that callback is itself valid.
 * Never throws on any input: everything here comes from a URL anyone can craft.
 */

import { parseCallbackUrl } from './callback-url';
import { parseElementErrors, type PassportElementError } from './element-errors';
import { parseServicePublicKey, type ServicePublicKey } from './public-key';
import { parseScope, type Scope } from './scope';

export type ResponseMode = 'form_post' | 'fragment';

export interface ConsentRequest {
	/** Decimal string: bot ids exceed 2^53, so never a JS number. */
	botId: string;
	scope: Scope;
	publicKey: ServicePublicKey;
	/** The service's one-time request id, echoed in the credentials. */
	nonce: string;
	/** Legacy-array scope: the credentials carry the nonce under `payload` as well as `nonce`. */
	legacyPayload: boolean;
	/** Normalised callback URL: where every answer goes. */
	callbackUrl: string;
	/** The callback's origin: the consent screen names the recipient by it. */
	callbackOrigin: string;
	responseMode: ResponseMode;
	/** Problems the service reported with an earlier submission (section 5). */
	errors: PassportElementError[];
	/** The service's name for itself: shown only as claimed, beside the origin. */
	serviceName?: string;
}

/** Telegram's codes, then ours for the parameters Telegram does not have. */
export type ConsentErrorCode =
	| 'BOT_INVALID'
	| 'SCOPE_EMPTY'
	| 'SCOPE_INVALID'
	| 'PUBLIC_KEY_REQUIRED'
	| 'PUBLIC_KEY_INVALID'
	| 'NONCE_EMPTY'
	| 'PAYLOAD_EMPTY'
	| 'NONCE_INVALID'
	| 'CALLBACK_URL_INVALID'
	| 'RESPONSE_MODE_INVALID'
	| 'ERRORS_INVALID'
	| 'SERVICE_NAME_INVALID'
	| 'REQUEST_INVALID';

export type ConsentRequestResult =
	| { ok: true; request: ConsentRequest }
	| {
			ok: false;
			code: ConsentErrorCode;
			/** Present only when callback_url is valid: the wallet may then offer to return there. */
			callbackUrl?: string;
			callbackOrigin?: string;
	  };

/** A nonce is echoed back, not interpreted; this only stops absurd sizes. */
export const MAX_NONCE_LENGTH = 4096;
export const MAX_SERVICE_NAME_LENGTH = 100;
/** Longer than any honest consent URL (keys and scope included). */
export const MAX_QUERY_LENGTH = 262144;

const KNOWN_PARAMS = [
	'bot_id',
	'scope',
	'public_key',
	'nonce',
	'payload',
	'callback_url',
	'response_mode',
	'errors',
	'service_name'
] as const;

/** Largest int64: Telegram's ids are 64-bit. */
const MAX_BOT_ID = 9223372036854775807n;

function parseBotId(text: string | null): string | undefined {
	if (text === null || !/^[1-9][0-9]{0,18}$/.test(text)) return undefined;
	return BigInt(text) <= MAX_BOT_ID ? text : undefined;
}

function parseServiceName(text: string | null): { ok: boolean; value?: string } {
	if (text === null) return { ok: true };
	const value = text.trim();
	if (value === '') return { ok: true };
	// Control and bidi-override characters could make the name pose as part of the origin.
	const hidden = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
	if (value.length > MAX_SERVICE_NAME_LENGTH || hidden.test(value)) return { ok: false };
	return { ok: true, value };
}

function toSearchParams(query: string | URLSearchParams): URLSearchParams | undefined {
	if (query instanceof URLSearchParams) return query;
	if (typeof query !== 'string' || query.length > MAX_QUERY_LENGTH) return undefined;
	return new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
}

export interface ParseConsentRequestOptions {
	/** `location.search` (with or without `?`) or its parsed form. */
	query: string | URLSearchParams;
}

/**
 * Total by construction (no try/catch hides a bug here: the hostile test would not see it).
 */
export function parseConsentRequest({ query }: ParseConsentRequestOptions): ConsentRequestResult {
	const params = toSearchParams(query);
	if (!params) return { ok: false, code: 'REQUEST_INVALID' };

	// A repeated parameter is ambiguous (which one did the service mean?); refuse, and offer no
	// callback since that could be the very value someone doubled.
	for (const name of KNOWN_PARAMS) {
		if (params.getAll(name).length > 1) return { ok: false, code: 'REQUEST_INVALID' };
	}

	const callback = parseCallbackUrl(params.get('callback_url'));
	const fail = (code: ConsentErrorCode): ConsentRequestResult =>
		callback
			? { ok: false, code, callbackUrl: callback.url, callbackOrigin: callback.origin }
			: { ok: false, code };

	const botId = parseBotId(params.get('bot_id'));
	if (!botId) return fail('BOT_INVALID');

	const scopeResult = parseScope(params.get('scope'));
	if (!scopeResult.ok) return fail(scopeResult.code);
	const scope = scopeResult.scope;

	const keyResult = parseServicePublicKey(params.get('public_key'));
	if (!keyResult.ok) return fail(keyResult.code);

	const legacyPayload = scope.encoding === 'legacy';
	let nonce: string | null;
	if (legacyPayload) {
		const payload = params.get('payload');
		// Telegram's JS SDK adds a literal `payload=nonce`; it is a marker, never the value.
		nonce =
			payload !== null && payload !== '' && payload !== 'nonce' ? payload : params.get('nonce');
	} else {
		nonce = params.get('nonce');
	}
	if (nonce === null || nonce === '') return fail(legacyPayload ? 'PAYLOAD_EMPTY' : 'NONCE_EMPTY');
	if (nonce.length > MAX_NONCE_LENGTH) return fail('NONCE_INVALID');

	if (!callback) return { ok: false, code: 'CALLBACK_URL_INVALID' };

	const mode = params.get('response_mode');
	let responseMode: ResponseMode;
	if (mode === null || mode === '' || mode === 'form_post') responseMode = 'form_post';
	else if (mode === 'fragment') responseMode = 'fragment';
	else return fail('RESPONSE_MODE_INVALID');

	const errors = parseElementErrors(params.get('errors'));
	if (!errors) return fail('ERRORS_INVALID');

	const serviceName = parseServiceName(params.get('service_name'));
	if (!serviceName.ok) return fail('SERVICE_NAME_INVALID');

	const request: ConsentRequest = {
		botId,
		scope,
		publicKey: keyResult.key,
		nonce,
		legacyPayload,
		callbackUrl: callback.url,
		callbackOrigin: callback.origin,
		responseMode,
		errors
	};
	if (serviceName.value !== undefined) request.serviceName = serviceName.value;
	return { ok: true, request };
}
