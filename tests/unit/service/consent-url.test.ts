import { describe, expect, it } from 'vitest';
import { parseConsentRequest } from '../../../src/lib/passport/request';
import {
	ConsentUrlError,
	SIGN_UP_BUTTON_CLASS,
	buildConsentUrl,
	createSignUpButton,
	type BuildConsentUrlOptions
} from '../../../src/lib/service';
import { makeKeys, sharedKeys } from '../passport/helpers';

function options(overrides: Partial<BuildConsentUrlOptions> = {}): BuildConsentUrlOptions {
	return {
		walletUrl: 'http://localhost:5173',
		botId: '9007199254740993',
		scope: { v: 1, d: [{ _: 'pd', n: 1 }, { _: 'idd', s: 1 }, 'ad', 'add', 'pn', 'em'] },
		publicKey: sharedKeys().spkiPem,
		nonce: 'n-1',
		callbackUrl: 'http://localhost:5174/callback?from=signup',
		...overrides
	};
}

describe('buildConsentUrl', () => {
	it('makes a URL the wallet parses back to the same request', () => {
		const url = new URL(
			buildConsentUrl(options({ responseMode: 'fragment', serviceName: 'Example & Co' }))
		);
		expect(url.origin + url.pathname).toBe('http://localhost:5173/authorize');
		const parsed = parseConsentRequest({ query: url.search });
		expect(parsed.ok).toBe(true);
		if (!parsed.ok) return;
		expect(parsed.request.botId).toBe('9007199254740993');
		expect(parsed.request.nonce).toBe('n-1');
		expect(parsed.request.callbackUrl).toBe('http://localhost:5174/callback?from=signup');
		expect(parsed.request.responseMode).toBe('fragment');
		expect(parsed.request.serviceName).toBe('Example & Co');
		expect(parsed.request.publicKey.pem).toBe(sharedKeys().spkiPem);
		expect(parsed.request.scope.rows).toHaveLength(6);
		// '+' in the key must survive: it is percent-encoded, never left raw.
		expect(url.search).not.toMatch(/public_key=[^&]*\+/);
	});

	it('resolves authorize against a wallet under a path, and keeps an explicit authorize URL', () => {
		expect(buildConsentUrl(options({ walletUrl: 'https://w.example/papiers' }))).toMatch(
			/^https:\/\/w\.example\/papiers\/authorize\?/
		);
		expect(buildConsentUrl(options({ walletUrl: 'https://w.example/x/authorize' }))).toMatch(
			/^https:\/\/w\.example\/x\/authorize\?/
		);
	});

	it('sends a legacy scope with payload instead of nonce', () => {
		const url = new URL(
			buildConsentUrl(options({ scope: ['personal_details', 'email'], nonce: 'p-9' }))
		);
		expect(url.searchParams.get('payload')).toBe('p-9');
		expect(url.searchParams.has('nonce')).toBe(false);
	});

	it('accepts bigint ids, PKCS#1 keys and scopes as text', () => {
		const url = buildConsentUrl(
			options({
				botId: 2n ** 60n,
				publicKey: sharedKeys().pkcs1PublicPem,
				scope: '{"v":1,"data":["email"]}'
			})
		);
		const parsed = parseConsentRequest({ query: new URL(url).search });
		expect(parsed.ok && parsed.request.botId).toBe((2n ** 60n).toString());
	});

	it.each([
		['a bad scope', { scope: { v: 1, d: ['pp', 'pp'] } }, 'SCOPE_INVALID'],
		['a small key', { publicKey: makeKeys(1024).spkiPem }, 'PUBLIC_KEY_INVALID'],
		['a javascript: callback', { callbackUrl: 'javascript:alert(1)' }, 'CALLBACK_URL_INVALID'],
		[
			'an http callback off loopback',
			{ callbackUrl: 'http://s.example/cb' },
			'CALLBACK_URL_INVALID'
		],
		['no nonce', { nonce: '' }, 'NONCE_EMPTY'],
		['bot id 0', { botId: '0' }, 'BOT_INVALID']
	] as const)('refuses %s at build time', (_name, overrides, code) => {
		expect(() => buildConsentUrl(options(overrides as Partial<BuildConsentUrlOptions>))).toThrow(
			ConsentUrlError
		);
		try {
			buildConsentUrl(options(overrides as Partial<BuildConsentUrlOptions>));
		} catch (error) {
			expect((error as ConsentUrlError).code).toBe(code);
		}
	});
});

/** Just enough of a Document for a function that creates one element (no DOM library here). */
function fakeDocument() {
	const created: Record<string, unknown>[] = [];
	return {
		created,
		createElement(tag: string) {
			const element = { tagName: tag.toUpperCase(), style: {} as Record<string, string> } as Record<
				string,
				unknown
			>;
			created.push(element);
			return element;
		}
	};
}

describe('createSignUpButton', () => {
	it('creates a link to the consent URL labelled "Sign up with Papiers"', () => {
		const doc = fakeDocument();
		const link = createSignUpButton({ ...options(), document: doc as unknown as Document });
		expect(doc.created).toHaveLength(1);
		expect(link.tagName).toBe('A');
		expect(link.textContent).toBe('Sign up with Papiers');
		expect(link.className).toBe(SIGN_UP_BUTTON_CLASS);
		expect(link.href).toBe(buildConsentUrl(options()));
		const parsed = parseConsentRequest({ query: new URL(link.href).search });
		expect(parsed.ok).toBe(true);
	});

	it('takes a label, and refuses to create a link the wallet would refuse', () => {
		const doc = fakeDocument() as unknown as Document;
		expect(
			createSignUpButton({ ...options(), document: doc, label: "S'inscrire avec Papiers" })
				.textContent
		).toBe("S'inscrire avec Papiers");
		expect(() =>
			createSignUpButton({ ...options({ callbackUrl: 'data:,x' }), document: doc })
		).toThrow(ConsentUrlError);
	});

	it('says plainly when there is no document (Node)', () => {
		expect(() => createSignUpButton(options())).toThrow(/needs a Document/);
	});
});
