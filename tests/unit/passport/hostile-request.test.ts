/**
 * Hostile conditions (QUALITY.md): malformed consent URLs of every kind, well over 10,000 of them.
 * The parser must return an error code or a valid request every time, never throw, and hand back
 * a callback exactly when PROTOCOL.md 1's rule allows it (written out again below, not taken from
 * the wallet): https, or http on a loopback name, no credentials, nothing hidden in the text.
 * Every navigation the wallet could then make (Return, Cancel) stays on such a URL.
 * Deterministic: a seeded generator.
 */

import { CONSENT_PARAMS, WRONG_TYPE_VALUES } from '../../helpers/wrong-types';
import { describe, expect, it } from 'vitest';
import {
	buildCancelCallbackUrl,
	buildErrorCallbackUrl,
	parseCallbackUrl
} from '../../../src/lib/passport/callback-url';
import { parseConsentRequest, type ConsentRequestResult } from '../../../src/lib/passport/request';
import { consentQuery, makeKeys, sharedKeys } from './helpers';

const KNOWN_CODES = new Set([
	'BOT_INVALID',
	'SCOPE_EMPTY',
	'SCOPE_INVALID',
	'PUBLIC_KEY_REQUIRED',
	'PUBLIC_KEY_INVALID',
	'NONCE_EMPTY',
	'PAYLOAD_EMPTY',
	'NONCE_INVALID',
	'CALLBACK_URL_INVALID',
	'RESPONSE_MODE_INVALID',
	'ERRORS_INVALID',
	'SERVICE_NAME_INVALID',
	'REQUEST_INVALID'
]);

function mulberry32(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
const random = mulberry32(0x9a9e45);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const int = (max: number) => Math.floor(random() * max);

function decodeURIComponent_safe(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

function randomText(length: number): string {
	const pools = [
		'abcdefghijklmnopqrstuvwxyz0123456789',
		'{}[]":,\\/ -_.+=&?#%',
		'\u0000\u0001\u001f\u007f\t\n\r',
		'éß漢字🙂\u202e\u2066\ufeff\ud800'
	];
	let out = '';
	for (let i = 0; i < length; i++) out += pick(pick(pools).split(''));
	return out;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** The wallet's cap on a callback's length (callback-url.ts): refusing more is allowed. */
const CALLBACK_LENGTH_CAP = 2048;
/** The parser's cap on a whole query (request.ts): past it, nothing is read. */
const QUERY_LENGTH_CAP = 262144;

/**
 * PROTOCOL.md 1's callback rule, written out again from the protocol text: `https:` with a
 * host, or `http:` on localhost, 127.0.0.1 or [::1]; no credentials; nothing relative; and
 * nothing the URL parser would silently drop or trim (control characters, spaces).
 */
function callbackAllowed(text: string | null): boolean {
	if (text === null || text === '' || text.length > CALLBACK_LENGTH_CAP) return false;
	for (const character of text) {
		const code = character.codePointAt(0)!;
		if (code <= 0x20 || (code >= 0x7f && code <= 0x9f)) return false;
	}
	if (!URL.canParse(text)) return false;
	const url = new URL(text);
	if (url.username !== '' || url.password !== '') return false;
	if (url.protocol === 'https:') return url.hostname !== '';
	return url.protocol === 'http:' && LOOPBACK_NAMES.includes(url.hostname);
}

/** A URL the wallet navigates to: http(s) only, and the callback rule still holds. */
function isNavigable(url: string): boolean {
	if (!URL.canParse(url)) return false;
	const { protocol } = new URL(url);
	return (protocol === 'https:' || protocol === 'http:') && callbackAllowed(url);
}

/** The callback the parser must offer for a query, per the rule; undefined: none. */
function expectedCallback(query: string | URLSearchParams): string | undefined {
	if (typeof query === 'string' && query.length > QUERY_LENGTH_CAP) return undefined;
	const params = typeof query === 'string' ? new URLSearchParams(query.replace(/^\?/, '')) : query;
	// A doubled parameter is refused without a callback (it could be the doubled one).
	if (CONSENT_PARAMS.some((name) => params.getAll(name).length > 1)) return undefined;
	const text = params.get('callback_url');
	return callbackAllowed(text) ? new URL(text!).href : undefined;
}

const tally = {
	tried: 0,
	errors: 0,
	accepted: 0,
	callbacksOffered: 0,
	byCategory: {} as Record<string, number>
};
let category = 'uncategorised';

/** The invariant every input must satisfy; returns the result for category-specific checks. */
function check(query: string | URLSearchParams): ConsentRequestResult {
	tally.tried++;
	tally.byCategory[category] = (tally.byCategory[category] ?? 0) + 1;
	const where = () => `${category}: ${String(query).slice(0, 200)}`;
	let result: ConsentRequestResult;
	try {
		result = parseConsentRequest({ query });
	} catch (error) {
		throw new Error(`parser threw on ${where()}: ${error}`);
	}
	const offered = result.ok ? result.request.callbackUrl : result.callbackUrl;
	expect(offered, where()).toBe(expectedCallback(query));
	if (offered !== undefined) {
		tally.callbacksOffered++;
		expect(isNavigable(offered), where()).toBe(true);
		expect(parseCallbackUrl(offered)?.url, where()).toBe(offered);
		expect(isNavigable(buildCancelCallbackUrl({ callbackUrl: offered })), where()).toBe(true);
	}
	if (result.ok) {
		tally.accepted++;
		expect(result.request.botId).toMatch(/^[1-9][0-9]*$/);
		expect(result.request.publicKey.modulusBits).toBeGreaterThanOrEqual(2048);
		expect(result.request.nonce.length).toBeGreaterThan(0);
		expect(result.request.scope.rows.length).toBeGreaterThan(0);
	} else {
		tally.errors++;
		expect(KNOWN_CODES.has(result.code), where()).toBe(true);
		if (result.callbackUrl !== undefined) {
			// "Return to <origin>": callback + tg_passport=error&error=CODE, before any fragment.
			const back = buildErrorCallbackUrl({ callbackUrl: result.callbackUrl, code: result.code });
			expect(isNavigable(back), where()).toBe(true);
			const url = new URL(back);
			// Appended last (a callback may carry its own tg_passport; the service's own business).
			expect(url.searchParams.getAll('tg_passport').at(-1), where()).toBe('error');
			expect(url.searchParams.getAll('error').at(-1), where()).toBe(result.code);
			expect(result.callbackOrigin, where()).toBe(url.origin);
		}
	}
	return result;
}

const VALID_SCOPES = [
	'{"v":1,"d":[{"_":"pd","n":1},"ad","pn","em",{"_":[{"_":"pp","s":1,"t":1},"ip","dl","ic"]},{"_":["ub","bs","ra","pr","tr"]}]}',
	'{"v":1,"data":[{"type":"personal_details","native_names":true},{"type":"id_document","selfie":true,"translation":true},{"type":"address_document","translation":true},"address","email"]}',
	'["personal_details","passport","email"]'
];

const DISALLOWED_CALLBACKS = [
	'javascript:alert(document.domain)',
	'JAVASCRIPT:alert(1)',
	'javascript://%0aalert(1)',
	'\u0000javascript:alert(1)',
	' javascript:alert(1)',
	'java\tscript:alert(1)',
	'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
	'data:,x',
	'vbscript:msgbox',
	'tg://resolve?domain=telegrampassport',
	'tg:resolve',
	'file:///etc/passwd',
	'file://localhost/etc/passwd',
	'ftp://s.example/',
	'ws://localhost:1/',
	'wss://s.example/',
	'blob:https://s.example/0',
	'filesystem:https://s.example/temporary/x',
	'about:blank',
	'chrome://settings',
	'chrome-extension://abc/x.html',
	'view-source:https://s.example/',
	'intent://scan/#Intent;scheme=zxing;end',
	'mailto:a@s.example',
	'sms:+33600000000',
	'http://s.example/',
	'http://localhost.s.example/',
	'http://127.0.0.1.nip.io/',
	'http://127.1/',
	'http://2130706433/',
	'http://[::ffff:127.0.0.1]/',
	'http://0/',
	'https://user:pw@s.example/',
	'https://user@s.example/',
	'https://:pw@s.example/',
	'//s.example/cb',
	'/cb',
	'cb',
	'?x',
	'#x',
	'https://',
	'https:///path',
	'https://s.example/\n',
	'https://s.example/\u202e',
	'https://s.example/' + 'x'.repeat(5000)
];

describe('hostile consent URLs', () => {
	it('every disallowed callback is refused, with no callback offered', () => {
		category = 'disallowed callback';
		const variants = (url: string) => [
			url,
			url.toUpperCase(),
			encodeURI(url),
			`${url}#frag`,
			`${url}?a=1&b=2`
		];
		for (const url of DISALLOWED_CALLBACKS) {
			for (const variant of variants(url)) {
				if (parseCallbackUrl(variant)) {
					// Upper-casing or encoding can turn an excluded case into an allowed URL
					// (e.g. "HTTP://127.0.0.1/" stays loopback): that is fine as long as it is navigable.
					expect(isNavigable(parseCallbackUrl(variant)!.url)).toBe(true);
					continue;
				}
				const result = check(consentQuery({ callback_url: variant }));
				expect(result).toEqual({ ok: false, code: 'CALLBACK_URL_INVALID' });
				// With another error first, the invalid callback is still never offered.
				const other = check(consentQuery({ callback_url: variant, bot_id: 'x' }));
				expect(other).toEqual({ ok: false, code: 'BOT_INVALID' });
			}
		}
	});

	it('broken JSON scopes', () => {
		category = 'scope JSON';
		for (let i = 0; i < 1000; i++) {
			const scope = pick(VALID_SCOPES);
			let broken: string;
			switch (int(4)) {
				case 0:
					broken = scope.slice(0, int(scope.length)); // truncated: never valid JSON
					expect(check(consentQuery({ scope: broken }))).toMatchObject({ ok: false });
					continue;
				case 1: {
					const at = int(scope.length);
					broken = scope.slice(0, at) + randomText(1 + int(4)) + scope.slice(at);
					break;
				}
				case 2: {
					const at = int(scope.length);
					broken = scope.slice(0, at) + scope.slice(at + 1 + int(5));
					break;
				}
				default:
					broken = scope.replace(/"[a-z_]+"/, () => JSON.stringify(randomText(3 + int(6))));
			}
			check(consentQuery({ scope: broken }));
		}
	});

	it('wrong types in every parameter', () => {
		category = 'wrong type';
		const values = WRONG_TYPE_VALUES;
		const params = CONSENT_PARAMS;
		for (const param of params) for (const value of values) check(consentQuery({ [param]: value }));
		for (const value of values) {
			const result = check(consentQuery({ scope: value }));
			expect(result.ok).toBe(false);
		}
	});

	it('huge values', () => {
		category = 'huge';
		const huge = (n: number) => 'A'.repeat(n);
		const cases: Record<string, string>[] = [
			{ bot_id: '9'.repeat(10000) },
			{ scope: JSON.stringify({ v: 1, d: Array(50000).fill('em') }) },
			{ scope: '['.repeat(100000) },
			{ scope: '{"v":1,"d":[' + '{"_":['.repeat(5000) + ']}'.repeat(5000) + ']}' },
			{ public_key: `-----BEGIN PUBLIC KEY-----\n${huge(1_000_000)}\n-----END PUBLIC KEY-----` },
			{ nonce: huge(1_000_000) },
			{ callback_url: `https://s.example/${huge(1_000_000)}` },
			{ errors: JSON.stringify(Array(100000).fill({})) },
			{ errors: '['.repeat(200000) },
			{ service_name: huge(100000) },
			{ response_mode: huge(100000) }
		];
		for (const overrides of cases) expect(check(consentQuery(overrides)).ok).toBe(false);
		expect(check(consentQuery() + '&x=' + huge(300000)).ok).toBe(false);
	});

	it('bad keys', () => {
		category = 'key';
		const keys = sharedKeys();
		const body = keys.spkiPem.split('\n').slice(1, -2).join('');
		const der = Buffer.from(body, 'base64');
		const armour = (label: string, bytes: Buffer | string) =>
			`-----BEGIN ${label}-----\n${typeof bytes === 'string' ? bytes : bytes.toString('base64')}\n-----END ${label}-----`;
		const small = makeKeys(1024);
		const tried: string[] = [
			small.spkiPem,
			small.pkcs1PublicPem,
			keys.pkcs8Pem,
			keys.pkcs1PrivatePem
		];
		for (let i = 0; i < 200; i++) {
			const mutated = Buffer.from(der);
			switch (int(4)) {
				case 0:
					mutated[int(mutated.length)] ^= 1 << int(8); // one bit anywhere
					break;
				case 1:
					mutated[int(24)] = int(256); // a header or length byte
					break;
				case 2:
					tried.push(armour('PUBLIC KEY', mutated.subarray(0, int(mutated.length))));
					continue;
				default:
					tried.push(
						armour(
							pick(['PUBLIC KEY', 'RSA PUBLIC KEY']),
							Buffer.from(crypto.getRandomValues(new Uint8Array(int(600))))
						)
					);
					continue;
			}
			tried.push(armour('PUBLIC KEY', mutated));
		}
		tried.push(armour('PUBLIC KEY', Buffer.from([0x30, 0x80, 0x00, 0x00])));
		tried.push(armour('PUBLIC KEY', Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff])));
		tried.push(armour('PUBLIC KEY', Buffer.from([0x30, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1])));
		tried.push(armour('PUBLIC KEY', '===='));
		let refused = 0;
		for (const key of tried) if (!check(consentQuery({ public_key: key })).ok) refused++;
		// Flipping a bit inside the modulus still makes a (different) valid key; the rest must fail.
		expect(refused).toBeGreaterThan(tried.length / 2);
	});

	it('random query strings and parameter soup', () => {
		category = 'soup';
		const names = [
			'bot_id',
			'scope',
			'public_key',
			'nonce',
			'payload',
			'callback_url',
			'response_mode',
			'errors',
			'service_name',
			'x',
			''
		];
		for (let i = 0; i < 1000; i++) {
			const params = new URLSearchParams(consentQuery());
			for (let j = 0; j < 1 + int(3); j++) {
				const name = pick(names);
				const value = randomText(int(40));
				if (random() < 0.3) params.append(name, value);
				else params.set(name, value);
			}
			check(random() < 0.5 ? params : params.toString());
		}
		for (let i = 0; i < 500; i++) check(randomText(int(300)));
	});

	it('generated callbacks: offered exactly when the protocol allows, alone or behind another error', () => {
		category = 'generated callback';
		const schemes = [
			'https',
			'http',
			'HTTPS',
			'hTtP',
			'javascript',
			'JaVaScRiPt',
			'data',
			'vbscript',
			'tg',
			'file',
			'ftp',
			'ws',
			'wss',
			'blob:https',
			'intent',
			'about',
			'view-source:https',
			'chrome',
			'mailto',
			''
		];
		const separators = ['://', ':', ':/', ':///', '//', ':\\\\', ':/\\', '://\\'];
		const userinfo = ['', '', '', 'user@', 'user:pw@', ':pw@', '@', 'localhost@', '%40@'];
		const hosts = [
			'localhost',
			'127.0.0.1',
			'[::1]',
			's.example',
			'LOCALHOST',
			'LocalHost',
			'localhost.',
			'localhost.s.example',
			'127.1',
			'127.0.0.01',
			'2130706433',
			'0x7f.1',
			'0',
			'[::ffff:127.0.0.1]',
			'[0:0:0:0:0:0:0:1]',
			'127.0.0.1.nip.io',
			'%6c%6fcalhost',
			'xn--80ak6aa92e.example',
			'ex%00ample.org',
			's.example%2f@evil.example',
			''
		];
		const ports = ['', '', ':4174', ':443', ':0', ':65535', ':65536', ':abc', ':'];
		const tails = [
			'',
			'/',
			'/cb',
			'/cb?x=1',
			'/cb?x=1&y',
			'/cb#frag',
			'/cb?x#y#z',
			'/%2e%2e/%2e%2e/cb',
			'/..\\..\\cb',
			'?tg_passport=x',
			'#',
			'/cb?'
		];
		const hidden = [
			'\u0000',
			'\t',
			'\n',
			'\r',
			' ',
			'\u001f',
			'\u007f',
			'\u0085',
			'\u00a0',
			'\u202e',
			'\u2066',
			'\ufeff',
			'\\',
			'%09',
			'%0a',
			'%00'
		];
		let allowed = 0;
		for (let i = 0; i < 3000; i++) {
			// Half start from a shape the rule allows, so both sides of it are reached.
			const plausible = random() < 0.5;
			let text = plausible
				? pick(['https', 'http', 'HTTPS']) +
					'://' +
					pick(['', '', '', 'user@']) +
					pick(['localhost', '127.0.0.1', '[::1]', 's.example', 'LOCALHOST', '127.1']) +
					pick(ports) +
					pick(tails)
				: pick(schemes) +
					pick(separators) +
					pick(userinfo) +
					pick(hosts) +
					pick(ports) +
					pick(tails);
			if (random() < 0.3) {
				const at = int(text.length + 1);
				text = text.slice(0, at) + pick(hidden) + text.slice(at);
			}
			if (random() < 0.05) text += 'x'.repeat(2048);
			const rule = callbackAllowed(text);
			if (rule) allowed++;
			const alone = check(consentQuery({ callback_url: text }));
			expect(alone.ok, text).toBe(rule);
			if (!rule) expect(alone).toEqual({ ok: false, code: 'CALLBACK_URL_INVALID' });
			// Behind another error: the same callback is offered (or not) by the same rule.
			const behind = check(consentQuery({ callback_url: text, bot_id: pick(['x', '0', '']) }));
			expect(behind.ok).toBe(false);
			if (!behind.ok) expect(behind.code).toBe('BOT_INVALID');
		}
		// The generator reaches both sides of the rule, not just refusals.
		expect(allowed).toBeGreaterThan(200);
		expect(allowed).toBeLessThan(2800);
	});

	it('mutated consent queries: cut, spliced, re-encoded, doubled', () => {
		category = 'mutated query';
		const valid = [
			consentQuery(),
			consentQuery({ scope: VALID_SCOPES[0], response_mode: 'fragment', service_name: 'Sérvice' }),
			consentQuery({
				scope: VALID_SCOPES[2],
				payload: 'p-1',
				callback_url: 'http://127.0.0.1:4174/cb?x=1#keep'
			})
		];
		const mutations: ((text: string) => string)[] = [
			(text) => {
				const at = int(text.length);
				return text.slice(0, at) + text.slice(at + 1 + int(20));
			},
			(text) => {
				const at = int(text.length);
				return text.slice(0, at) + randomText(1 + int(8)) + text.slice(at);
			},
			(text) => {
				const at = int(text.length);
				const length = 1 + int(40);
				return text.slice(0, at) + text.slice(at, at + length).repeat(2) + text.slice(at + length);
			},
			(text) =>
				text.replace(/[&=]/g, (sign) => (random() < 0.1 ? (sign === '&' ? '=' : '&') : sign)),
			(text) => {
				const at = int(text.length);
				return (
					text.slice(0, at) + decodeURIComponent_safe(text.slice(at, at + 30)) + text.slice(at + 30)
				);
			},
			(text) => {
				const at = int(text.length);
				return (
					text.slice(0, at) +
					encodeURIComponent(text.slice(at, at + 30).toWellFormed()) +
					text.slice(at + 30)
				);
			},
			(text) => {
				const parts = text.split('&');
				return [...parts, pick(parts)].join('&'); // a parameter twice
			},
			(text) => {
				const parts = text.split('&');
				const [a, b] = [int(parts.length), int(parts.length)];
				[parts[a], parts[b]] = [parts[b], parts[a]];
				return parts.join('&');
			},
			(text) => text.slice(0, int(text.length)),
			(text) => (random() < 0.5 ? '?' : '') + text.toUpperCase()
		];
		for (let i = 0; i < 2500; i++) {
			let text = pick(valid);
			for (let j = 0; j < 1 + int(4); j++) text = pick(mutations)(text);
			check(text);
		}
	});

	it('tried at least 10,000 malformed requests, with no throw and no callback outside the rule', () => {
		expect(tally.tried).toBeGreaterThanOrEqual(10_000);
		// The generators aim at malformed input; most of it must be refused (the rest is random
		// noise in parameters that tolerate it, such as an unknown parameter or a service name).
		expect(tally.errors).toBeGreaterThan(tally.tried * 0.75);
		console.info(
			`hostile consent URLs: ${tally.tried} tried, ${tally.errors} refused, ${tally.accepted} accepted, ` +
				`${tally.callbacksOffered} callbacks offered (each allowed by the rule), 0 throws; ` +
				`by category ${JSON.stringify(tally.byCategory)}`
		);
	});
});
