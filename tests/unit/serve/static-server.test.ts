import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	FIXTURE_META_POLICY,
	SECRET,
	makeSite,
	rawRequest,
	startServer,
	type RunningServer
} from './static-server-helpers';

// Each test starts serve.js as its own process on a free port, against a throw-away build/ with
// secrets beside it. Generous per-test bound: starting node on a loaded machine can take seconds.
const TIMEOUT = 60_000;

let site: ReturnType<typeof makeSite>;
let server: RunningServer;

beforeEach(async () => {
	site = makeSite();
	server = await startServer(site.root);
}, TIMEOUT);

afterEach(async () => {
	await server?.stop();
	site?.cleanup();
});

const get = (target: string, method = 'GET') => rawRequest(server.port, target, { method });

async function expectStillServing() {
	expect(server.alive(), server.output()).toBe(true);
	const shell = await get('/settings');
	expect(shell.status).toBe(200);
	expect(shell.body).toContain('the-wallet-shell');
}

describe('static server (scripts/serve.js) against hostile requests', () => {
	it(
		'answers a malformed percent-escape with 400 and keeps serving',
		async () => {
			for (const target of ['/%E0%A4%A', '/%', '/%zz', '/_app/%E0%A4%A.js', '/a%C0%AF']) {
				const response = await get(target);
				expect(response.status, target).toBe(400);
				await expectStillServing();
			}
		},
		TIMEOUT
	);

	it(
		'never serves a file from outside build/, however the path is spelled',
		async () => {
			const escapes = [
				'/..%2fbuild-private%2fsecret.txt',
				'/%2e%2e%2fbuild-private%2fsecret.txt',
				'/_app%2f..%2f..%2fbuild-private%2fsecret.txt',
				'/_app/..%2f..%2fbuild-private%2fsecret.txt',
				'/..%2fsecret.txt',
				'/..%2fbuild.html',
				'//..%2fbuild-private%2fsecret.txt',
				'http://localhost/..%2fbuild-private%2fsecret.txt',
				'/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd'
			];
			for (const target of escapes) {
				const response = await get(target);
				expect(response.status, target).toBe(400);
				expect(response.body, target).not.toContain(SECRET);
				expect(response.body, target).not.toContain('root:');
			}
			// Spelled so the URL parser folds the dots itself: what remains is a path inside build/
			// that does not exist, so the app's shell answers (its router shows "not found").
			for (const target of [
				'/../build-private/secret.txt',
				'/%2e%2e/build-private/secret.txt',
				'/..%5cbuild-private%5csecret.txt'
			]) {
				const response = await get(target);
				expect(response.body, target).not.toContain(SECRET);
			}
			await expectStillServing();
		},
		TIMEOUT
	);

	it(
		'serves build/index.html for / and for folders, never a sibling build.html',
		async () => {
			for (const target of ['/', '/%2f', '/_app/', '/_app', '/empty-folder/', '/empty-folder']) {
				const response = await get(target);
				expect(response.status, target).toBe(200);
				expect(response.body, target).toContain('the-wallet-shell');
				expect(response.body, target).not.toContain(SECRET);
			}
		},
		TIMEOUT
	);

	it(
		'does not follow a symlink that leaves build/, and does follow one that stays inside',
		async () => {
			for (const target of ['/linked-secret.txt', '/linked-folder/secret.txt']) {
				const response = await get(target);
				expect(response.body, target).not.toContain(SECRET);
				expect(response.status, target).toBe(404);
			}
			const inside = await get('/linked-inside.json');
			expect(inside.status).toBe(200);
			expect(inside.body).toBe('{"version":"1"}');
		},
		TIMEOUT
	);

	it(
		'serves a build/ that is itself a symlink to the current release',
		async () => {
			await server.stop();
			const current = join(site.dir, 'current');
			symlinkSync(site.root, current);
			server = await startServer(current);
			const asset = await get('/_app/version.json');
			expect(asset.status).toBe(200);
			expect(asset.body).toBe('{"version":"1"}');
			const escape = await get('/linked-secret.txt');
			expect(escape.body).not.toContain(SECRET);
			await expectStillServing();
		},
		TIMEOUT
	);

	it(
		'refuses NUL bytes in the path with 400 and keeps serving',
		async () => {
			for (const target of [
				'/%00',
				'/index.html%00',
				'/_app/version.json%00.js',
				'/_app/%00/version.json'
			]) {
				const response = await get(target);
				expect(response.status, target).toBe(400);
			}
			await expectStillServing();
		},
		TIMEOUT
	);

	it(
		'answers only GET and HEAD; other methods get 405 with Allow',
		async () => {
			for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
				const response = await get('/_app/version.json', method);
				expect(response.status, method).toBe(405);
				expect(response.headers.allow, method).toBe('GET, HEAD');
				expect(response.body, method).not.toContain('"version"');
			}
			const head = await get('/_app/version.json', 'HEAD');
			expect(head.status).toBe(200);
			expect(head.body).toBe('');
			await expectStillServing();
		},
		TIMEOUT
	);

	it(
		'serves long consent links, refuses oversized ones without stopping',
		async () => {
			// The wallet's parser accepts up to 256 KiB of query: such a link must still load.
			const longLink = `/authorize?bot_id=1&public_key=${'k'.repeat(256 * 1024)}`;
			const long = await get(longLink);
			expect(long.status).toBe(200);
			expect(long.body).toContain('the-wallet-shell');
			// A single path segment longer than any file name (ENAMETOOLONG) is just "not a file".
			const longName = await get(`/${'a'.repeat(5000)}.js`);
			expect(longName.status).toBe(200);
			expect(longName.body).toContain('the-wallet-shell');
			const huge = await get(`/${'a'.repeat(2 * 1024 * 1024)}`);
			expect(huge.status).toBe(431);
			await expectStillServing();
		},
		TIMEOUT
	);

	it(
		'answers a request target the URL parser cannot read with 400 and keeps serving',
		async () => {
			for (const target of ['http://[/', 'http://a:99999/', 'https://%/x']) {
				const response = await get(target);
				expect(response.status, target).toBe(400);
				await expectStillServing();
			}
		},
		TIMEOUT
	);
});

describe('static server headers', () => {
	const expectedPolicy = `${FIXTURE_META_POLICY}; frame-ancestors 'none'`;

	it(
		"sends the shell's full CSP, with frame-ancestors, on pages, deep links and assets",
		async () => {
			for (const target of [
				'/',
				'/authorize?bot_id=1&scope=%7B%22v%22%3A1%7D&public_key=x&nonce=n&callback_url=https%3A%2F%2Fservice.example%2Fcb',
				'/element/passport?next=%2Fsettings',
				'/_app/immutable/chunks/app.js',
				'/service-worker.js'
			]) {
				const response = await get(target);
				expect(response.status, target).toBe(200);
				expect(response.headers['content-security-policy'], target).toBe(expectedPolicy);
				expect(response.headers['x-frame-options'], target).toBe('DENY');
				expect(response.headers['x-content-type-options'], target).toBe('nosniff');
				expect(response.headers['referrer-policy'], target).toBe('no-referrer');
			}
			const refused = await get('/..%2fsecret.txt');
			expect(refused.headers['x-frame-options']).toBe('DENY');
			expect(refused.headers['content-security-policy']).toContain("frame-ancestors 'none'");
		},
		TIMEOUT
	);

	it(
		'caches only real hashed assets for a year, never the shell answering a missing one',
		async () => {
			const asset = await get('/_app/immutable/chunks/app.js');
			expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
			// A chunk asked for before it is deployed must not keep the shell for a year.
			const missing = await get('/_app/immutable/chunks/not-yet-deployed.js');
			expect(missing.headers['cache-control']).toBe('no-cache');
			const head = await get('/', 'HEAD');
			expect(head.status).toBe(200);
			expect(head.body).toBe('');
			expect(head.headers['content-security-policy']).toBe(expectedPolicy);
		},
		TIMEOUT
	);

	it(
		'follows a new deployment: the header carries the new shell’s script hash',
		async () => {
			const index = join(site.root, 'index.html');
			const before = await get('/');
			expect(before.headers['content-security-policy']).toContain('sha256-AAAAfixturehashAAAA=');
			writeFileSync(
				index,
				readFileSync(index, 'utf8').replace(
					'sha256-AAAAfixturehashAAAA=',
					'sha256-BBBBnewbuildBBBB='
				)
			);
			const after = await get('/settings');
			expect(after.headers['content-security-policy']).toContain('sha256-BBBBnewbuildBBBB=');
			expect(after.headers['content-security-policy']).not.toContain('AAAAfixturehash');
		},
		TIMEOUT
	);
});
