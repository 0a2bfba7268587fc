/**
 * Hostile conditions (QUALITY.md), in the real wallet page: well over 1,000 malformed consent
 * requests (broken JSON, wrong types, huge values, bad keys, every disallowed callback scheme,
 * control characters, parameter soup), generated deterministically from a seed. Each one must end
 * on the error screen or on a valid consent or unlock screen, with no uncaught exception and no
 * navigation or request outside the wallet; the screen must say what the wallet's parser says
 * about the URL the browser actually holds (so a stale or blank screen cannot pass).
 *
 * Most cases are client-side navigations (a link clicked inside the app, through the papers page
 * so the previous screen is gone); a sample of them is also loaded as full pages, where every
 * "Return to <origin>" button is pressed and must lead to callback + tg_passport=error&error=CODE.
 */

import { CONSENT_PARAMS, WRONG_TYPE_VALUES } from '../helpers/wrong-types';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildErrorCallbackUrl } from '../../src/lib/passport/callback-url';
import { parseConsentRequest, type ConsentRequestResult } from '../../src/lib/passport/request';
import { SYNC_TURN_CREDENTIALS_URL, WALLET_ORIGIN, WALLET_URL } from './consent-helpers';
import { createVault, unlock } from './helpers';

// --- Deterministic material ------------------------------------------------------------------

function mulberry32(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
const random = mulberry32(0xc0_45e7);
const int = (max: number) => Math.floor(random() * max);
const pick = <T>(items: readonly T[]): T => items[int(items.length)];

function randomText(length: number): string {
	const pools = [
		'abcdefghijklmnopqrstuvwxyz0123456789',
		'{}[]":,\\/ -_.+=&?#%',
		'\u0000\u0001\u001f\u007f\t\n\r\u0085',
		'éß漢字🙂\u202e\u2066\ufeff\ud800'
	];
	let out = '';
	for (let i = 0; i < length; i++) out += pick([...pick(pools)]);
	return out;
}

/** Telegram's own sample key (python-telegram-bot's test fixture): the same bytes every run. */
const keyPem = createPublicKey(
	readFileSync(join(import.meta.dirname, '../fixtures/telegram/ptb-private-key.pem'))
).export({ type: 'spki', format: 'pem' }) as string;
const keyDer = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
const smallKeyPem = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
	type: 'spki',
	format: 'pem'
}) as string;

const BASE = {
	bot_id: '1000000001',
	scope:
		'{"v":1,"d":[{"_":"pd","n":1},"ad","pn","em",{"_":[{"_":"pp","s":1,"t":1},"ip","dl","ic"]},{"_":["ub","bs","ra","pr","tr"]}]}',
	public_key: keyPem,
	nonce: 'hostile-nonce-1',
	callback_url: 'http://localhost:4174/callback'
};

interface Case {
	category: string;
	/** Path and query, relative to the wallet. */
	path: string;
}

function query(overrides: Record<string, string | null> = {}, extra: [string, string][] = []) {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries({ ...BASE, ...overrides })) {
		if (value !== null) params.set(key, value);
	}
	for (const [key, value] of extra) params.append(key, value);
	return `/authorize?${params.toString()}`;
}

// --- The cases ---------------------------------------------------------------------------------

const DISALLOWED_CALLBACKS = [
	'javascript:alert(document.domain)',
	'JAVASCRIPT:alert(1)',
	'javascript://localhost:4174/%0aalert(1)',
	'\u0000javascript:alert(1)',
	' javascript:alert(1)',
	'java\tscript:alert(1)',
	'java\nscript:alert(1)',
	'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
	'data:text/html,<script>alert(1)</script>',
	'data:,x',
	'vbscript:msgbox(1)',
	'VBScript:msgbox(1)',
	'file:///etc/passwd',
	'file://localhost/etc/passwd',
	'tg://resolve?domain=telegrampassport',
	'tg:resolve',
	'ftp://localhost/',
	'ftp://s.example/cb',
	'blob:http://localhost:4174/0d3c',
	'blob:https://s.example/0',
	'filesystem:https://s.example/temporary/x',
	'ws://localhost:4174/',
	'wss://s.example/',
	'about:blank',
	'chrome://settings',
	'view-source:https://s.example/',
	'intent://scan/#Intent;scheme=zxing;end',
	'mailto:a@s.example',
	'sms:+33600000000',
	'/callback',
	'callback',
	'./callback',
	'../callback',
	'?tg_passport=x',
	'#x',
	'//localhost:4174/callback',
	'//s.example/cb',
	'\\\\s.example\\cb',
	'https://user:secret@localhost:4174/callback',
	'https://user@s.example/cb',
	'https://:pw@s.example/cb',
	'http://user:pw@127.0.0.1:4174/cb',
	'http://example.com/cb',
	'http://s.example/cb',
	'http://localhost.s.example/cb',
	'http://localhost./cb',
	'http://127.0.0.1.nip.io/cb',
	'http://10.0.0.1/cb',
	'http://192.168.1.1/cb',
	'http://[::2]/cb',
	'http://[::ffff:127.0.0.1]/cb',
	'http://0/cb',
	'https://',
	'https:///path',
	'https:s.example',
	'https://s.example/' + 'x'.repeat(3000)
];

const CONTROL_CHARACTERS = [
	'\u0000',
	'\u0001',
	'\t',
	'\n',
	'\r',
	'\u001f',
	' ',
	'\u007f',
	'\u0085',
	'\u009f',
	'\u202e',
	'\u2066',
	'\ufeff'
];

const VALID_SCOPES = [
	BASE.scope,
	'{"v":1,"data":[{"type":"personal_details","native_names":true},{"type":"id_document","selfie":true,"translation":true},{"type":"address_document","translation":true},"address","email"]}',
	'["personal_details","passport","email"]'
];

const WRONG_TYPES = WRONG_TYPE_VALUES;
const PARAMS = CONSENT_PARAMS;

function armour(label: string, bytes: Buffer | string) {
	const body = typeof bytes === 'string' ? bytes : bytes.toString('base64');
	return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
}

function generateCases(): Case[] {
	const cases: Case[] = [];
	const add = (category: string, path: string) => cases.push({ category, path });

	// Every disallowed callback, as written and in disguise; alone and behind another error.
	for (const callback of DISALLOWED_CALLBACKS) {
		for (const variant of [
			callback,
			callback.toUpperCase(),
			encodeURI(callback),
			`${callback}#frag`,
			`${callback}?a=1&b=2`
		]) {
			add('callback', query({ callback_url: variant }));
		}
		add('callback', query({ callback_url: callback, bot_id: 'x' }));
	}
	// Control characters anywhere in an otherwise acceptable callback.
	for (const base of ['http://localhost:4174/callback', 'https://s.example/cb']) {
		for (const character of CONTROL_CHARACTERS) {
			for (let i = 0; i < 3; i++) {
				const at = int(base.length + 1);
				add('control', query({ callback_url: base.slice(0, at) + character + base.slice(at) }));
			}
		}
	}

	// Broken JSON scopes.
	for (let i = 0; i < 220; i++) {
		const scope = pick(VALID_SCOPES);
		let broken: string;
		switch (int(4)) {
			case 0:
				broken = scope.slice(0, int(scope.length));
				break;
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
		add('scope JSON', query({ scope: broken }));
	}

	// Wrong types in every parameter; and every parameter missing.
	for (const param of PARAMS) {
		for (const value of WRONG_TYPES) add('wrong type', query({ [param]: value }));
		add('missing', query({ [param]: null }));
		add('repeated', query({}, [[param, pick(WRONG_TYPES)]]));
	}

	// Huge values (the whole URL stays under Chromium's 2 MB limit).
	const huge = (n: number) => 'A'.repeat(n);
	const hugeCases: Record<string, string>[] = [
		{ bot_id: '9'.repeat(10_000) },
		{ bot_id: '9223372036854775808' },
		{ scope: JSON.stringify({ v: 1, d: Array(20_000).fill('em') }) },
		{ scope: '['.repeat(100_000) },
		{ scope: '{"v":1,"d":[' + '{"_":['.repeat(5000) + ']}'.repeat(5000) + ']}' },
		{ public_key: armour('PUBLIC KEY', huge(300_000)) },
		{ nonce: huge(4097) },
		{ nonce: huge(300_000) },
		{ callback_url: `https://s.example/${huge(300_000)}` },
		{ errors: JSON.stringify(Array(20_000).fill({})) },
		{ errors: '['.repeat(200_000) },
		{ service_name: huge(101) },
		{ service_name: huge(100_000) },
		{ response_mode: huge(100_000) }
	];
	for (const overrides of hugeCases) add('huge', query(overrides));
	add('huge', `${query()}&x=${huge(270_000)}`);

	// Bad keys: bit flips, broken lengths, truncation, random bytes, the wrong kind of PEM.
	add('key', query({ public_key: smallKeyPem }));
	add('key', query({ public_key: keyPem.replace('PUBLIC KEY', 'PRIVATE KEY') }));
	add('key', query({ public_key: keyPem.replace(/\n/g, '\r\n') }));
	add('key', query({ public_key: keyPem.replace(/[A-Za-z0-9+/=\n-]{20}(?=\n-----END)/, '') }));
	for (let i = 0; i < 120; i++) {
		const mutated = Buffer.from(keyDer);
		switch (int(4)) {
			case 0:
				mutated[int(mutated.length)] ^= 1 << int(8);
				add('key', query({ public_key: armour('PUBLIC KEY', mutated) }));
				break;
			case 1:
				mutated[int(24)] = int(256);
				add('key', query({ public_key: armour('PUBLIC KEY', mutated) }));
				break;
			case 2:
				add(
					'key',
					query({ public_key: armour('PUBLIC KEY', mutated.subarray(0, int(mutated.length))) })
				);
				break;
			default: {
				const bytes = Buffer.alloc(int(600));
				for (let j = 0; j < bytes.length; j++) bytes[j] = int(256);
				add('key', query({ public_key: armour(pick(['PUBLIC KEY', 'RSA PUBLIC KEY']), bytes) }));
			}
		}
	}
	for (const bytes of [
		[0x30, 0x80, 0, 0],
		[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
		[0x30, 0x89, 1, 1]
	]) {
		add('key', query({ public_key: armour('PUBLIC KEY', Buffer.from(bytes)) }));
	}

	// Service-reported errors: malformed, wrong shapes, and well-formed ones matching nothing.
	const hash = () => Buffer.from(Array.from({ length: 32 }, () => int(256))).toString('base64');
	const errorShapes = [
		() => '[',
		() => '{}',
		() => '[1]',
		() => '[{}]',
		() => JSON.stringify([{ source: 'data', type: 'personal_details' }]),
		() => JSON.stringify([{ source: 'nope', type: 'email', message: 'x' }]),
		() =>
			JSON.stringify([
				{ source: 'data', type: 'x', field_name: 'y', data_hash: hash(), message: 'm' }
			]),
		() =>
			JSON.stringify([
				{ source: 'files', type: 'utility_bill', file_hashes: 'abc', message: randomText(20) }
			]),
		() =>
			JSON.stringify([
				{
					source: 'data',
					type: 'personal_details',
					field_name: 'first_name',
					data_hash: hash(),
					message: randomText(int(80))
				}
			]),
		() =>
			JSON.stringify([
				{
					source: pick(['front_side', 'reverse_side', 'selfie', 'file', 'translation_file']),
					type: pick(['passport', 'identity_card', 'utility_bill']),
					file_hash: hash(),
					message: `<img src=x onerror=alert(1)>${randomText(10)}`
				}
			]),
		() =>
			JSON.stringify([
				{ source: 'unspecified', type: 'email', element_hash: hash(), message: '\u202eevil' }
			]),
		() => randomText(int(60))
	];
	for (let i = 0; i < 120; i++) add('errors', query({ errors: pick(errorShapes)() }));

	// bot_id and service_name edge cases.
	for (const botId of [
		'0',
		'01',
		'-1',
		'1.5',
		'1e3',
		' 1',
		'1 ',
		'+1',
		'0x10',
		'١٢٣',
		'12345678901234567890'
	]) {
		add('bot_id', query({ bot_id: botId }));
	}
	for (let i = 0; i < 30; i++) {
		add('service_name', query({ service_name: randomText(1 + int(120)) }));
	}

	// Parameter soup, then raw query strings.
	const names = [...PARAMS, 'x', ''];
	for (let i = 0; i < 150; i++) {
		const params = new URLSearchParams(query().slice('/authorize?'.length));
		for (let j = 0; j < 1 + int(3); j++) {
			const name = pick(names);
			const value = randomText(int(40));
			if (random() < 0.3) params.append(name, value);
			else params.set(name, value);
		}
		add('soup', `/authorize?${params.toString()}`);
	}
	for (let i = 0; i < 60; i++) {
		// As typed: the browser's URL parser does the encoding (and drops tabs and newlines);
		// a '#' would start a fragment, which the next test covers on its own.
		add('raw', `/authorize?${randomText(int(300)).replace(/#/g, '%23')}`);
	}

	// Valid requests among them: the consent screen must still come up.
	for (const scope of VALID_SCOPES) {
		add('valid', query({ scope }));
		add('valid', query({ scope, response_mode: 'fragment', service_name: 'Ünïcode Sérvice 漢字' }));
		add('valid', query({ scope, callback_url: 'https://s.example/cb?x=1#keep' }));
		add('valid', query({ scope, bot_id: '9223372036854775807', payload: 'p-1' }));
	}
	return cases;
}

/**
 * Consent URLs with a fragment: the wallet ignores it, but the browser and the router read it.
 * Malformed percent-escapes, stray '#', and fragments on valid and invalid requests.
 */
function generateFragmentCases(): Case[] {
	const cases: Case[] = [];
	const fragments = [
		'',
		'top',
		'%',
		'%zz',
		'%E0%A4%A',
		'%C0%AE%C0%AE',
		'%%%',
		'a%2',
		'#',
		'##%',
		'%00',
		'tg_passport=success&passport_data=x',
		'javascript:alert(1)'
	];
	for (const fragment of fragments) {
		cases.push({ category: 'fragment', path: `${query()}#${fragment}` });
		cases.push({ category: 'fragment', path: `${query({ scope: '{"v":1' })}#${fragment}` });
		cases.push({
			category: 'fragment',
			path: `${query({ callback_url: 'javascript:x' })}#${fragment}`
		});
	}
	for (let i = 0; i < 40; i++) {
		cases.push({ category: 'fragment', path: `${query()}#${randomText(1 + int(40))}` });
	}
	return cases;
}

// --- What the page shows ----------------------------------------------------------------------

interface Screen {
	kind: 'error' | 'consent' | 'unlock' | 'none';
	href: string;
	code?: string;
	returnLabel?: string;
	heading?: string;
	botId?: string;
}

/**
 * How long one screen may take before the case fails. Screens come in tens of milliseconds on an
 * idle machine; with four times more runnable work than cores a client-side navigation took
 * seconds, and a fixed 10 s failed. The wait itself is on the screen (a condition); this bound
 * only turns a screen that never comes into a failure that names the case.
 */
const SCREEN_BOUND_MS = 60_000;

/**
 * In the page: waits (up to `ms`) for the screen of `want` (a full URL), and describes it.
 * Reads only what a person sees: headings, the "Error code: …" line, the buttons.
 */
async function readScreen(page: Page, want: string, ms = SCREEN_BOUND_MS): Promise<Screen> {
	return page.evaluate(
		async ({ want, ms }) => {
			const describe = (): Omit<Screen, 'href'> | undefined => {
				// The wallet drops a fragment it cannot decode (hooks.client.ts): compare without it.
				if (location.href.split('#')[0] !== want.split('#')[0]) return undefined;
				const buttons = [...document.querySelectorAll('button')].map((b) => b.textContent!.trim());
				const error = document.querySelector('[data-testid="consent-error"]');
				if (error) {
					const codeLine = [...error.querySelectorAll('p')]
						.map((p) => p.textContent!.trim())
						.find((text) => text.startsWith('Error code: '));
					if (!codeLine) return undefined;
					return {
						kind: 'error',
						code: codeLine.slice('Error code: '.length),
						returnLabel: buttons.find((text) => text.startsWith('Return to '))
					};
				}
				const h1 = document.querySelector('main h1')?.textContent?.trim();
				if (h1 && buttons.includes('Authorize')) {
					const terms = [...document.querySelectorAll('dt')];
					const botTerm = terms.find((term) => term.textContent!.trim() === 'Service ID');
					return {
						kind: 'consent',
						heading: h1,
						botId: botTerm?.nextElementSibling?.textContent?.trim()
					};
				}
				const password = document.querySelector('input[type="password"]');
				if (h1?.endsWith(' asks for your papers') && password && buttons.includes('Unlock')) {
					return { kind: 'unlock', heading: h1 };
				}
				return undefined;
			};
			const start = performance.now();
			for (;;) {
				const found = describe();
				if (found) return { ...found, href: location.href };
				if (performance.now() - start > ms) return { kind: 'none', href: location.href };
				await new Promise((resolve) => setTimeout(resolve, 5));
			}
		},
		{ want, ms }
	) as Promise<Screen>;
}

/** What the screen must be, per the parser, for the query the browser actually holds. */
function checkScreen(screen: Screen, context: { locked: boolean }): ConsentRequestResult {
	const expected = parseConsentRequest({ query: new URL(screen.href).search });
	const where = `${screen.href.slice(0, 300)}`;
	if (expected.ok) {
		const { callbackOrigin, botId } = expected.request;
		if (context.locked) {
			expect(screen, where).toMatchObject({
				kind: 'unlock',
				heading: `${callbackOrigin} asks for your papers`
			});
		} else {
			expect(screen, where).toMatchObject({ kind: 'consent', heading: callbackOrigin, botId });
		}
	} else {
		expect(screen, where).toMatchObject({ kind: 'error', code: expected.code });
		expect(screen.returnLabel, where).toBe(
			expected.callbackOrigin ? `Return to ${expected.callbackOrigin}` : undefined
		);
	}
	return expected;
}

function isHttpUrl(url: string): boolean {
	try {
		const { protocol } = new URL(url);
		return protocol === 'http:' || protocol === 'https:';
	} catch {
		return false;
	}
}

/**
 * PROTOCOL.md 1's callback rule, written out again here rather than taken from the wallet:
 * https with a host, or http on a loopback name; no credentials; nothing hidden in the text.
 */
function isAllowedCallbackTarget(text: string | null): boolean {
	if (text === null || /[\u0000-\u0020\u007f-\u009f]/.test(text)) return false;
	let parsed: URL;
	try {
		parsed = new URL(text);
	} catch {
		return false;
	}
	if (parsed.username || parsed.password || parsed.hostname === '') return false;
	if (parsed.protocol === 'https:') return true;
	return (
		parsed.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)
	);
}

/** The callback_url the browser's URL carries, if given once. */
function callbackParam(href: string): string | null {
	const values = new URL(href).searchParams.getAll('callback_url');
	return values.length === 1 ? values[0] : null;
}

// --- The test -----------------------------------------------------------------------------------

interface Tally {
	spa: number;
	fullLoads: number;
	refused: number;
	accepted: number;
	returnsPressed: number;
	/** Cases whose callback breaks the protocol's rule: each was refused with no way back. */
	disallowedRefused: number;
	byCategory: Record<string, number>;
	pageErrors: string[];
	dialogs: string[];
	outside: string[];
	/** Mean time per client-side case over the first and the last 200 (the history grows). */
	firstMs?: number;
	lastFrom?: number;
	lastMs?: number;
}

/**
 * Loads every `fullLoadEvery`-th case (from `offset`) as a full page load (locked vault), pressing
 * any "Return" button; then, unless `spa` is false, every case as a client-side navigation
 * (unlocked vault).
 */
async function runCases(
	page: Page,
	context: BrowserContext,
	cases: Case[],
	{ fullLoadEvery, offset, spa = true }: { fullLoadEvery: number; offset: number; spa?: boolean }
): Promise<Tally> {
	const tally: Tally = {
		spa: 0,
		fullLoads: 0,
		refused: 0,
		accepted: 0,
		returnsPressed: 0,
		disallowedRefused: 0,
		byCategory: {},
		pageErrors: [],
		dialogs: [],
		outside: []
	};
	const count = (category: string) =>
		(tally.byCategory[category] = (tally.byCategory[category] ?? 0) + 1);

	// Everything the page does outside the wallet is logged; "Return" navigations are answered
	// here and never reach a network.
	let phase = 'setup';
	let expectingReturn = false;
	const returned: string[] = [];
	page.on('pageerror', (error) =>
		tally.pageErrors.push(`${phase}: ${error.message} @ ${page.url().slice(0, 160)}`)
	);
	page.on('dialog', (dialog) => {
		tally.dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	page.on('popup', (popup) => tally.outside.push(`popup ${popup.url()}`));
	page.on('framenavigated', (frame) => {
		const url = frame.url();
		if (url === 'about:blank') return;
		if (!isHttpUrl(url)) tally.outside.push(`navigation to ${url.slice(0, 200)}`);
		else if (new URL(url).origin !== WALLET_ORIGIN && !expectingReturn) {
			tally.outside.push(`navigation to ${url.slice(0, 200)}`);
		}
	});
	page.on('request', (request) => {
		const url = request.url();
		if (!isHttpUrl(url)) {
			if (!url.startsWith('data:') && !url.startsWith('blob:'))
				tally.outside.push(`request ${url}`);
			return;
		}
		const origin = new URL(url).origin;
		if (origin === WALLET_ORIGIN || url === SYNC_TURN_CREDENTIALS_URL) return;
		// The browser asks the stub callback page for its icon; that is not the wallet's doing.
		if (url.endsWith('/favicon.ico') && returned.some((r) => new URL(r).origin === origin)) return;
		if (!expectingReturn) tally.outside.push(`request ${url.slice(0, 200)}`);
	});
	await context.route(
		(url) => url.origin !== WALLET_ORIGIN,
		async (route) => {
			if (new URL(route.request().url()).pathname === '/favicon.ico') {
				await route.fulfill({ status: 404, body: '' });
				return;
			}
			returned.push(route.request().url());
			await route.fulfill({ contentType: 'text/html', body: '<h1>Service callback</h1>' });
		}
	);

	// A vault exists: valid requests loaded as full pages must ask for the password.
	await createVault(page);

	// Full page loads: a spread of cases across every category (URLs the wallet's static server
	// accepts: it answers 431 past Node's 16 KiB request-head limit).
	phase = 'full load';
	const sample = cases.filter(
		(c, index) => index % fullLoadEvery === offset && c.path.length < 12_000
	);
	for (const { category, path } of sample) {
		await page.goto(new URL(path, WALLET_URL).href);
		const screen = await readScreen(page, page.url());
		const expected = checkScreen(screen, { locked: true });
		tally.fullLoads++;
		count(category);
		if (expected.ok) tally.accepted++;
		else tally.refused++;
		if (!expected.ok && expected.callbackUrl) {
			// Press "Return to <origin>": exactly callback + tg_passport=error&error=CODE, http(s).
			expectingReturn = true;
			returned.length = 0;
			await page.getByRole('button', { name: screen.returnLabel }).click();
			await expect.poll(() => returned.length).toBe(1);
			const target = buildErrorCallbackUrl({
				callbackUrl: expected.callbackUrl,
				code: expected.code
			});
			expect(returned[0]).toBe(target);
			expect(isAllowedCallbackTarget(returned[0]), returned[0]).toBe(true);
			await expect(page.getByRole('heading', { name: 'Service callback' })).toBeVisible();
			expectingReturn = false;
			tally.returnsPressed++;
		}
	}

	if (!spa) return tally;

	// Client-side navigations for all of them, unlocked: valid ones show the consent screen.
	phase = 'setup';
	await page.goto(WALLET_URL);
	await unlock(page);
	await expect(page.getByRole('heading', { name: 'Your papers' })).toBeVisible();
	phase = 'client-side';
	const started = performance.now();
	for (const [index, { category, path }] of cases.entries()) {
		if (index === 200) tally.firstMs = (performance.now() - started) / 200;
		if (index === cases.length - 200) tally.lastFrom = performance.now();
		const want = await page.evaluate(
			async ({ path, bound }) => {
				const follow = (href: string) => {
					// Inside the app's root element, where SvelteKit listens for link clicks. A
					// person's tap starts with a pointerdown, which the auto-lock counts as activity:
					// without it the vault locked 5 minutes into the run and the papers page never
					// came back (what failed on CI, idle and loaded, once the run passed 5 minutes).
					const root = document.body.firstElementChild!;
					const link = document.createElement('a');
					link.href = href;
					root.append(link);
					link.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
					link.click();
					link.remove();
				};
				// Through the papers page, so nothing of the previous case can be read as this one.
				follow('/');
				const start = performance.now();
				while (!(
					location.pathname === '/' &&
					document.querySelector('main h1')?.textContent === 'Your papers'
				)) {
					if (document.querySelector('input[type="password"]')) {
						throw new Error(`The vault locked; the page shows ${location.href}`);
					}
					if (performance.now() - start > bound) {
						throw new Error(`The papers page did not come; the page shows ${location.href}`);
					}
					await new Promise((resolve) => setTimeout(resolve, 5));
				}
				follow(path);
				return new URL(path, location.href).href;
			},
			{ path, bound: SCREEN_BOUND_MS }
		);
		const screen = await readScreen(page, want);
		const expected = checkScreen(screen, { locked: false });
		tally.spa++;
		count(category);
		if (expected.ok) tally.accepted++;
		else tally.refused++;
		// Whatever the parser thinks: a way back, or a consent screen (whose Authorize and Cancel
		// go to the callback), only ever for a callback the protocol allows.
		if (screen.returnLabel !== undefined || screen.kind === 'consent') {
			expect(isAllowedCallbackTarget(callbackParam(screen.href)), screen.href.slice(0, 200)).toBe(
				true
			);
		} else if (!isAllowedCallbackTarget(callbackParam(screen.href))) {
			expect(screen.kind, screen.href.slice(0, 200)).toBe('error');
			tally.disallowedRefused++;
		}
	}
	if (tally.lastFrom !== undefined) tally.lastMs = (performance.now() - tally.lastFrom) / 200;
	expect(page.url().startsWith(WALLET_ORIGIN)).toBe(true);
	return tally;
}

function report(name: string, tally: Tally) {
	const summary =
		`${name}: ${tally.spa + tally.fullLoads} tried ` +
		`(${tally.spa} client-side navigations, ${tally.fullLoads} full page loads, ` +
		`${tally.returnsPressed} "Return" buttons pressed); ${tally.refused} refused, ` +
		`${tally.accepted} accepted, ${tally.disallowedRefused} with a disallowed callback; ` +
		`${tally.pageErrors.length} uncaught exceptions; ` +
		(tally.firstMs !== undefined && tally.lastMs !== undefined
			? `${tally.firstMs.toFixed(0)} ms per case over the first 200, ${tally.lastMs.toFixed(0)} over the last 200; `
			: '') +
		`by category ${JSON.stringify(tally.byCategory)}`;
	console.info(summary);
	test.info().annotations.push({ type: 'hostile count', description: summary });
}

test('1,000+ malformed consent requests: an error or consent screen every time, never a crash or a way out', async ({
	page,
	context
}) => {
	// About 1,100 cases; a few minutes idle, several times that with four times more runnable
	// work than cores. The bound is for a hung run only.
	test.setTimeout(60 * 60_000);
	const cases = generateCases();
	const tally = await runCases(page, context, cases, { fullLoadEvery: 20, offset: 7 });
	report('hostile consent URLs in the wallet page', tally);

	expect(tally.pageErrors).toEqual([]);
	expect(tally.dialogs).toEqual([]);
	expect(tally.outside).toEqual([]);
	expect(tally.fullLoads).toBeGreaterThanOrEqual(50);
	expect(tally.spa + tally.fullLoads).toBeGreaterThanOrEqual(1000);
	// The generators aim at malformed input; the valid ones and harmless noise are the rest.
	expect(tally.refused).toBeGreaterThan((tally.spa + tally.fullLoads) * 0.75);
	expect(tally.accepted).toBeGreaterThanOrEqual(12);
	// Every disallowed scheme and disguise above reached the page and was refused.
	expect(tally.disallowedRefused).toBeGreaterThanOrEqual(DISALLOWED_CALLBACKS.length * 5);
});

// Fragments are loaded as full pages only, the way a consent link arrives. Clicking an in-app
// link whose fragment holds a malformed %-escape makes SvelteKit's router throw "URI malformed"
// (get_id → decodeURIComponent in its client.js) although the right screen still shows; the
// wallet renders no such link, so that path is left out here and reported instead.
test('consent URLs with hostile fragments, opened as pages: same screens, no uncaught exception', async ({
	page,
	context
}) => {
	// About 80 full page loads: a minute idle; the bound is for a hung run only.
	test.setTimeout(20 * 60_000);
	const cases = generateFragmentCases();
	const tally = await runCases(page, context, cases, { fullLoadEvery: 1, offset: 0, spa: false });
	expect(tally.fullLoads).toBe(cases.length);
	report('hostile fragments', tally);
	expect(tally.dialogs).toEqual([]);
	expect(tally.outside).toEqual([]);
	expect(tally.pageErrors).toEqual([]);
});
