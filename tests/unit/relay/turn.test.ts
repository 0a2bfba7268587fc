/**
 * TURN credentials from the relay (GET …/turn-credentials), checked against a real coturn
 * (Debian's, started here with the same shared secret): coturn relays for the relay's
 * credentials and refuses expired or forged ones. And the endpoint as an attacker sees it:
 * rate-limited per address, readable by other sites' pages only when allowed.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../../../scripts/relay.js';
import { turnConfigFromEnv, turnCredential } from '../../../scripts/relay-turn.js';
import { startCoturn, uclientAllocates, type Coturn } from '../../helpers/coturn';
import { spawnRelay, type RelayProcess } from './relay-process';

const SECRET = 'a shared secret only coturn and the relay know';
const relays: RunningRelay[] = [];
const processes: RelayProcess[] = [];
let coturn: Coturn | undefined;
afterEach(async () => {
	for (const relay of relays.splice(0)) await relay.close();
	for (const relay of processes.splice(0)) await relay.stop();
	await coturn?.stop();
	coturn = undefined;
});

interface Answer {
	status: number;
	headers: Headers;
	body: { iceServers?: { urls: string[]; username: string; credential: string }[]; error?: string };
}

async function ask(port: number, path = '/turn-credentials', headers: Record<string, string> = {}) {
	const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
	return {
		status: response.status,
		headers: response.headers,
		body: await response.json()
	} as Answer;
}

async function relayWithTurn(options: Parameters<typeof startRelay>[0] = {}) {
	const relay = await startRelay({
		port: 0,
		turn: { secret: SECRET, urls: ['turn:127.0.0.1:3478?transport=udp'], ttlSeconds: 600 },
		...options
	});
	relays.push(relay);
	return relay;
}

describe("the relay's TURN credentials", () => {
	it("follow coturn's shared-secret scheme: <expiry>:<random id>, base64 HMAC-SHA1", async () => {
		const relay = await relayWithTurn();
		const before = Math.floor(Date.now() / 1000);
		const answer = await ask(relay.port);
		expect(answer.status).toBe(200);
		expect(answer.headers.get('cache-control')).toBe('no-store');
		const [server] = answer.body.iceServers!;
		expect(server.urls).toEqual(['turn:127.0.0.1:3478?transport=udp']);
		const [expiry, id] = server.username.split(':');
		expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
		expect(Number(expiry)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 600);
		expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
		expect(server.credential).toBe(
			createHmac('sha1', SECRET).update(server.username).digest('base64')
		);
		// A known answer, computed with openssl:
		//   printf %s '1700000000:abc' | openssl dgst -sha1 -hmac secret -binary | base64
		expect(turnCredential({ secret: 'secret', expiresAt: 1700000000, id: 'abc' })).toEqual({
			username: '1700000000:abc',
			credential: 'JHgegmW+/B84iarkT5SFAOC1Iqw='
		});
		// Also under the reverse proxy's /relay prefix, and each answer is a new id.
		const again = await ask(relay.port, '/relay/turn-credentials');
		expect(again.body.iceServers![0].username).not.toBe(server.username);
	});

	it('are accepted by coturn until they expire; expired or forged ones are refused', async () => {
		coturn = await startCoturn({ secret: SECRET });
		const relay = await relayWithTurn({
			turn: { secret: SECRET, urls: [`turn:127.0.0.1:${coturn.port}`], ttlSeconds: 600 }
		});
		const { username, credential } = (await ask(relay.port)).body.iceServers![0];
		expect(uclientAllocates(coturn.port, username, credential)).toBe(true);

		const expired = turnCredential({
			secret: SECRET,
			expiresAt: Math.floor(Date.now() / 1000) - 5
		});
		expect(uclientAllocates(coturn.port, expired.username, expired.credential)).toBe(false);
		const forged = turnCredential({
			secret: 'not the secret',
			expiresAt: Number(username.split(':')[0])
		});
		expect(uclientAllocates(coturn.port, forged.username, forged.credential)).toBe(false);
	});

	it('are rate-limited per address: a flood from one address is refused, others still served', async () => {
		const relay = await relayWithTurn({
			limits: { turnCredentialsPerMinute: 6, turnCredentialsBurst: 5 }
		});
		const statuses: number[] = [];
		for (let i = 0; i < 12; i++) statuses.push((await ask(relay.port)).status);
		expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
		expect(statuses.slice(5).filter((status) => status === 429).length).toBeGreaterThanOrEqual(6);
		const refused = await ask(relay.port);
		expect(refused.status).toBe(429);
		expect(refused.body.iceServers).toBeUndefined();
		expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
		// Another client behind the trusted proxy (loopback) has its own budget.
		const other = await ask(relay.port, '/turn-credentials', { 'X-Forwarded-For': '198.51.100.7' });
		expect(other.status).toBe(200);
		// A client cannot claim to be someone else: a proxy's header from an untrusted peer is
		// ignored (here loopback is not trusted, so the header does not help).
		const strict = await relayWithTurn({
			trustedProxies: [],
			limits: { turnCredentialsPerMinute: 6, turnCredentialsBurst: 1 }
		});
		expect((await ask(strict.port)).status).toBe(200);
		const spoofed = await ask(strict.port, '/turn-credentials', {
			'X-Forwarded-For': '198.51.100.8'
		});
		expect(spoofed.status).toBe(429);
	});

	it("are readable by another site's page only when TURN_ALLOWED_ORIGINS allows it", async () => {
		const open = await relayWithTurn();
		const anyone = await ask(open.port, '/turn-credentials', { Origin: 'https://a.example' });
		expect(anyone.headers.get('access-control-allow-origin')).toBe('*');

		const turn = turnConfigFromEnv({
			TURN_SECRET: SECRET,
			TURN_URLS: 'turns:turn.example.org:5349?transport=tcp',
			TURN_ALLOWED_ORIGINS: 'https://wallet.example'
		});
		const narrow = await relayWithTurn({ turn });
		const wallet = await ask(narrow.port, '/turn-credentials', {
			Origin: 'https://wallet.example'
		});
		expect(wallet.status).toBe(200);
		expect(wallet.headers.get('access-control-allow-origin')).toBe('https://wallet.example');
		const stranger = await ask(narrow.port, '/turn-credentials', {
			Origin: 'https://evil.example'
		});
		expect(stranger.status).toBe(403);
		expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
		expect(stranger.body.iceServers).toBeUndefined();
		// No Origin: the same site (browsers send none on a same-origin GET) or not a browser.
		expect((await ask(narrow.port)).status).toBe(200);
	});

	it('are not handed out when the relay has no TURN secret: an empty list, no error', async () => {
		const relay = await startRelay({ port: 0 });
		relays.push(relay);
		expect((await ask(relay.port)).body).toEqual({ iceServers: [] });
		expect(
			(await fetch(`http://127.0.0.1:${relay.port}/turn-credentials`, { method: 'POST' })).status
		).toBe(405);
	});

	it('are configured by TURN_* variables, refusing settings that cannot work', async () => {
		expect(turnConfigFromEnv({})).toBeUndefined();
		expect(() => turnConfigFromEnv({ TURN_SECRET: 'short', TURN_URLS: 'turn:a.example' })).toThrow(
			/at least 16/
		);
		expect(() => turnConfigFromEnv({ TURN_SECRET: SECRET })).toThrow(/TURN_URLS/);
		expect(() =>
			turnConfigFromEnv({ TURN_SECRET: SECRET, TURN_URLS: 'https://a.example' })
		).toThrow(/not a turn/);
		expect(() =>
			turnConfigFromEnv({
				TURN_SECRET: SECRET,
				TURN_URLS: 'turn:a.example',
				TURN_TTL_SECONDS: '-1'
			})
		).toThrow(/TURN_TTL_SECONDS/);
		// The command line: the secret never shows in what the relay prints.
		const relay = await spawnRelay({
			TURN_SECRET: SECRET,
			TURN_URLS: 'turn:127.0.0.1:3478, turns:turn.example.org:5349?transport=tcp',
			TURN_TTL_SECONDS: '300'
		});
		processes.push(relay);
		const answer = await ask(relay.port);
		expect(answer.body.iceServers![0].urls).toEqual([
			'turn:127.0.0.1:3478',
			'turns:turn.example.org:5349?transport=tcp'
		]);
		const expiry = Number(answer.body.iceServers![0].username.split(':')[0]);
		expect(expiry - Date.now() / 1000).toBeLessThanOrEqual(300);
		expect(relay.output()).toContain('valid 300 s');
		expect(relay.output()).not.toContain(SECRET);
	});
});
