/**
 * Sync through TURN, as between phones behind carrier NAT: both browsers may use relay
 * candidates only (`iceTransportPolicy: 'relay'`, set by the test's page script), so every byte
 * between them goes through coturn. The spec starts coturn (Debian's, on loopback, with the
 * shared secret) and a relay that hands out its credentials; nobody types a TURN password: the
 * wallet asks the relay it uses.
 *
 * A UDP tap sits between the browsers and coturn and looks at every datagram of the TURN path:
 * it must see the TURN exchange (coturn's realm, in clear in STUN messages: the tap reads the
 * real traffic) and at least as many bytes as the data channels carried, and never the marker
 * entered in the vault. The data-channel tap in each page must not see the marker either.
 *
 * A second test: a TURN server typed in Settings (address, username, password) still carries
 * sync when the relay hands out no credentials.
 *
 * Loopback is enough here: STACK.md's "no ICE candidates" is about a network namespace with only
 * `lo`; this machine has an interface, and Chromium gathers relay candidates from a coturn on
 * 127.0.0.1 (coturn needs --allow-loopback-peers for that, a test-only flag).
 */
import { expect, test } from '@playwright/test';
import { startRelay, type RunningRelay } from '../../scripts/relay.js';
import { turnCredential } from '../../scripts/relay-turn.js';
import { startCoturn, startUdpTap, type Coturn, type UdpTap } from '../helpers/coturn';
import {
	createVaultOn,
	launch,
	pair,
	row,
	setEmail,
	STEP_MS,
	tab,
	type Device
} from './relay-helpers';

// SYNC_MARKER lets a run check the taps themselves (as in sync.spec.ts): 'records', a Yjs map
// name, is in the data channels' payloads, and must still not show on the TURN path (DTLS).
const MARKER = process.env.SYNC_MARKER ?? 'zqturn8c4d2e';
const email = (tag: string) => `${MARKER}.${tag}@example.org`;
const SECRET = 'the coturn secret of this test run';
const REALM = 'papiers-turn-test.example';
const TEST_MS = 10 * 60_000;

let coturn: Coturn;
let tap: UdpTap;
let relay: RunningRelay;
const all: Device[] = [];

test.describe('sync through TURN with credentials from the relay', () => {
	test.beforeAll(async () => {
		coturn = await startCoturn({ secret: SECRET, realm: REALM });
		tap = await startUdpTap(coturn.port, [MARKER, REALM]);
		relay = await startRelay({
			port: 0,
			turn: {
				secret: SECRET,
				urls: [`turn:127.0.0.1:${tap.port}?transport=udp`],
				ttlSeconds: 600
			}
		});
	});

	test.afterAll(async () => {
		for (const device of all) await device.browser.close();
		await relay?.close();
		tap?.close();
		await coturn?.stop();
	});

	test('two relay-only browsers pair and sync; the TURN path carries no plaintext', async () => {
		test.setTimeout(TEST_MS);
		const a = await launch('A', { marker: MARKER, relayOnly: true });
		const b = await launch('B', { marker: MARKER, relayOnly: true });
		all.push(a, b);
		await createVaultOn(a, relay.url);
		await setEmail(a.page, email('one'));
		await pair(a, b, relay.url, 'Tablet B');
		await expect(row(b.page, 'email')).toContainText(email('one'), { timeout: STEP_MS });
		await tab(a.page, 'Papers');
		await setEmail(a.page, email('two'));
		await expect(row(b.page, 'email')).toContainText(email('two'), { timeout: STEP_MS });

		console.info(
			`relay-turn e2e: ${tap.datagrams()} datagrams, ${tap.bytes()} bytes on the TURN path, ` +
				`marker hits ${tap.hits(MARKER)}; A's data channels ${a.tap.frames} frames, ` +
				`${a.tap.bytes} bytes, marker hits ${a.tap.markerHits}`
		);
		for (const device of [a, b]) {
			// The TURN server came from the relay, with a coturn REST username: nothing was typed.
			expect(
				device.tap.iceServers.some(
					(server) =>
						server.urls.includes(`turn:127.0.0.1:${tap.port}?transport=udp`) &&
						/^\d+:[\w-]+$/.test(server.username ?? '')
				)
			).toBe(true);
			// Every connection that carried data used a relay candidate.
			expect(device.tap.selectedCandidateTypes.length).toBeGreaterThan(0);
			expect(new Set(device.tap.selectedCandidateTypes)).toEqual(new Set(['relay']));
			expect(device.tap.frames).toBeGreaterThan(0);
			expect(device.tap.markerHits).toBe(0);
		}
		// The tap saw the TURN exchange itself, and at least what the data channels carried.
		expect(tap.hits(REALM)).toBeGreaterThan(0);
		expect(tap.bytes()).toBeGreaterThanOrEqual(a.tap.bytes);
		expect(tap.hits(MARKER)).toBe(0);
	});

	test('a TURN server typed in Settings still works, with a relay that hands out none', async () => {
		test.setTimeout(TEST_MS);
		const plainRelay = await startRelay({ port: 0 });
		try {
			// What a person running their own coturn would give each device: address, username and
			// password (here a REST credential of the same coturn, made by hand).
			const typed = turnCredential({
				secret: SECRET,
				expiresAt: Math.floor(Date.now() / 1000) + 3600,
				id: 'typed-by-hand'
			});
			const turn = { url: `turn:127.0.0.1:${tap.port}?transport=udp`, ...typed };
			const datagramsBefore = tap.datagrams();
			const c = await launch('C', { marker: MARKER, relayOnly: true });
			const d = await launch('D', { marker: MARKER, relayOnly: true });
			all.push(c, d);
			await createVaultOn(c, plainRelay.url, turn);
			await setEmail(c.page, email('typed'));
			await pair(c, d, plainRelay.url, 'Phone D', turn);
			await expect(row(d.page, 'email')).toContainText(email('typed'), { timeout: STEP_MS });
			for (const device of [c, d]) {
				// Only the typed server: the relay had none to add.
				const usernames = new Set(device.tap.iceServers.map((server) => server.username));
				expect([...usernames]).toEqual([typed.username]);
				expect(new Set(device.tap.selectedCandidateTypes)).toEqual(new Set(['relay']));
				expect(device.tap.markerHits).toBe(0);
			}
			expect(tap.datagrams()).toBeGreaterThan(datagramsBefore);
			expect(tap.hits(MARKER)).toBe(0);
		} finally {
			await plainRelay.close();
		}
	});
});
