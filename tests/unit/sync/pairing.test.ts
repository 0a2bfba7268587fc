/**
 * Pairing over the real relay (Node clients): both sides show the same code, the new device gets
 * the header only after the person confirms, the secret works once and for 10 minutes at most,
 * a man in the middle who knows the secret makes the codes differ, and the relay sees no header.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromBase64, toBase64 } from '$lib/crypto/bytes';
import { headerFromTransfer, type TransferredHeader } from '$lib/vault/import-header';
import {
	hostPairing,
	joinPairing,
	newPairingSecret,
	pairingLink,
	secretFromLink,
	type HostState,
	type JoinState,
	type PairingOffer
} from '$lib/sync/pairing';
import type { RelayClient } from '$lib/sync/relay-client';
import { testRelay, until, type TestRelay } from './node-relay';

const HINT = 'HINT-MARKER-5b1e';
const header: TransferredHeader = {
	format: 1,
	kdf: {
		algorithm: 'argon2id',
		memoryKiB: 65536,
		iterations: 3,
		parallelism: 1,
		salt: toBase64(new Uint8Array(16).fill(3))
	},
	wrappedKey: toBase64(new Uint8Array(72).fill(9)),
	hint: HINT,
	createdAt: 1_700_000_000_000,
	keyGeneration: 1
};
const offer: PairingOffer = { header, devices: ['DEVICE-NAME-MARKER'] };

let relay: TestRelay;
beforeEach(async () => {
	relay = await testRelay();
});
afterEach(async () => {
	vi.restoreAllMocks();
	await relay.close();
});

/**
 * What one side put on the relay and what it has finished handling. Waits for "nothing more
 * came" are written as these counts (the other side handled what was published, the host
 * handled the stranger's hellos and published nothing), never as a pause: a pause only says
 * something on an idle machine.
 */
interface Traffic {
	/** Every message this side published, in order. */
	sent: string[];
	/** Every message delivered to this side, after its handler returned (its own included). */
	handled: string[];
}

function tapped(client: RelayClient): Traffic {
	const traffic: Traffic = { sent: [], handled: [] };
	const publish = client.publish.bind(client);
	client.publish = (topic, data) => {
		traffic.sent.push(data);
		publish(topic, data);
	};
	const subscribe = client.subscribe.bind(client);
	client.subscribe = (topic, listener) =>
		subscribe(topic, (data) => {
			listener(data);
			traffic.handled.push(data);
		});
	return traffic;
}

/** How many of `from`'s messages `to` has handled. */
function handledFrom(to: Traffic, from: Traffic): number {
	const sent = new Set(from.sent);
	return to.handled.filter((data) => sent.has(data)).length;
}

function host(options: { secret?: string; ttlMs?: number } = {}) {
	const states: HostState[] = [];
	const client = relay.client();
	const traffic = tapped(client);
	const pairing = hostPairing({
		client,
		offer: () => offer,
		onState: (state) => states.push(state),
		...options
	});
	return { pairing, states, traffic, last: () => states.at(-1) };
}

function join(secret: string, deviceName = 'Pixel') {
	const states: JoinState[] = [];
	const client = relay.client();
	const traffic = tapped(client);
	const pairing = joinPairing({
		client,
		secret,
		deviceName,
		onState: (state) => states.push(state)
	});
	return { pairing, states, traffic, last: () => states.at(-1) };
}

// Each test runs several relay round trips and X25519 exchanges; on a CI machine with four
// times more runnable work than cores they took up to 5 s each (Vitest's default limit). The
// limit only stops a hung test; the waits inside are on conditions (node-relay.ts's until).
describe('pairing', { timeout: 120_000 }, () => {
	it('shows the same 6-digit code on both sides and delivers the header after confirmation', async () => {
		const a = host();
		const b = join(a.pairing.secret, 'Pixel 7');
		const hostCode = await until(() => (a.last()?.step === 'comparing' ? a.last() : undefined));
		const joinCode = await until(() => (b.last()?.step === 'comparing' ? b.last() : undefined));
		expect(hostCode).toMatchObject({ step: 'comparing', deviceName: 'Pixel 7' });
		const code = (hostCode as { code: string }).code;
		expect(code).toMatch(/^\d{6}$/);
		expect((joinCode as { code: string }).code).toBe(code);

		// Nothing is sent before the person confirms on the host: the new device has handled
		// everything the host published, and holds no vault.
		await until(() => handledFrom(b.traffic, a.traffic) === a.traffic.sent.length);
		expect(b.states.some((state) => state.step === 'received')).toBe(false);

		await a.pairing.confirm();
		const received = await until(() => b.states.find((state) => state.step === 'received'));
		expect(received).toMatchObject({ offer: { devices: ['DEVICE-NAME-MARKER'] } });
		const offered = (received as { offer: PairingOffer }).offer;
		expect(headerFromTransfer(offered.header).hint).toBe(HINT);
		await until(() => a.last()?.step === 'done');
		expect(a.last()).toEqual({ step: 'done', deviceName: 'Pixel 7' });

		// The relay saw sealed messages on a topic, never the header, hint or names.
		expect(relay.seen.some((text) => text.includes('"publish"'))).toBe(true);
		for (const text of relay.seen) {
			expect(text).not.toContain(HINT);
			expect(text).not.toContain('DEVICE-NAME-MARKER');
			expect(text).not.toContain('Pixel 7');
			expect(text).not.toContain(header.wrappedKey);
			expect(text).not.toContain(a.pairing.secret);
		}
		b.pairing.close();
	});

	it('answers one device only, and nothing once done', async () => {
		const a = host();
		const first = join(a.pairing.secret, 'first');
		await until(() => a.last()?.step === 'comparing');
		const sentBefore = a.traffic.sent.length;
		const second = join(a.pairing.secret, 'second');
		// The host handled two hellos of the second device and published nothing in answer.
		await until(() => handledFrom(a.traffic, second.traffic) >= 2);
		expect(a.traffic.sent.length).toBe(sentBefore);
		expect(second.states).toEqual([]);
		expect(a.last()).toMatchObject({ deviceName: 'first' });
		await a.pairing.confirm();
		await until(() => a.last()?.step === 'done');
		// Done, the host has left the topic: a late device's hellos go round the relay (it
		// handles its own) and nothing answers them.
		const sentWhenDone = a.traffic.sent.length;
		const late = join(a.pairing.secret, 'late');
		await until(() => handledFrom(late.traffic, late.traffic) >= 2);
		expect(handledFrom(a.traffic, late.traffic)).toBe(0);
		expect(a.traffic.sent.length).toBe(sentWhenDone);
		expect(late.states).toEqual([]);
		for (const side of [first, second, late]) side.pairing.close();
	});

	it('expires: no answer after the time limit, and confirming then sends nothing', async () => {
		const a = host({ ttlMs: 400 });
		await until(() => a.last()?.step === 'expired');
		const sentWhenExpired = a.traffic.sent.length;
		const b = join(a.pairing.secret);
		await until(() => handledFrom(b.traffic, b.traffic) >= 2);
		expect(handledFrom(a.traffic, b.traffic)).toBe(0);
		expect(a.traffic.sent.length).toBe(sentWhenExpired);
		expect(b.states).toEqual([]);

		// The limit passes while both screens show the code. The clock jumps rather than the
		// test racing a short limit: on a loaded machine the codes may take longer than any
		// short limit to appear.
		const c = host();
		const d = join(c.pairing.secret);
		await until(() => c.last()?.step === 'comparing');
		const sentWhenComparing = c.traffic.sent.length;
		vi.spyOn(Date, 'now').mockReturnValue(c.pairing.expiresAt);
		await c.pairing.confirm();
		vi.restoreAllMocks();
		expect(c.last()).toEqual({ step: 'expired' });
		expect(c.traffic.sent.length).toBe(sentWhenComparing);
		await until(() => handledFrom(d.traffic, c.traffic) === c.traffic.sent.length);
		expect(d.states.some((state) => state.step === 'received')).toBe(false);
		b.pairing.close();
		d.pairing.close();
	});

	it('a man in the middle who knows the secret cannot make both screens show one code', async () => {
		// The attacker gets in first on the host's side, and plays host to the real new device.
		const a = host();
		const toHost = join(a.pairing.secret, 'Pixel');
		const hostSide = await until(() => (a.last()?.step === 'comparing' ? a.last() : undefined));
		const toJoiner = host({ secret: a.pairing.secret });
		const b = join(a.pairing.secret, 'Pixel');
		const joinSide = await until(() => (b.last()?.step === 'comparing' ? b.last() : undefined));
		await until(() => toJoiner.last()?.step === 'comparing');
		expect((hostSide as { code: string }).code).not.toBe((joinSide as { code: string }).code);
		toHost.pairing.close();
		b.pairing.close();
		toJoiner.pairing.close();
		a.pairing.close();
	});

	it('the host refusing (codes differ) tells the new device', async () => {
		const a = host();
		const b = join(a.pairing.secret);
		await until(() => a.last()?.step === 'comparing');
		a.pairing.reject();
		await until(() => b.last()?.step === 'rejected');
		expect(a.last()).toEqual({ step: 'rejected' });
		b.pairing.close();
	});

	it('carries on across a relay restart', async () => {
		const a = host();
		// The host's subscription reached the relay before it goes down.
		await until(() => relay.seen.some((text) => text.includes('"subscribe"')));
		await relay.restart();
		const b = join(a.pairing.secret);
		await until(() => b.last()?.step === 'comparing');
		// The host compares once the joiner's reveal reached it, a relay round trip after the
		// joiner compares: confirming before that does nothing (seen once on a loaded CI run).
		await until(() => a.last()?.step === 'comparing');
		await a.pairing.confirm();
		await until(() => b.states.some((state) => state.step === 'received'));
		b.pairing.close();
	});
});

describe('pairing links', () => {
	it('carries the secret in the fragment and reads it back from a link or alone', () => {
		const secret = newPairingSecret();
		expect(fromBase64(secret)).toHaveLength(32);
		const link = pairingLink('https://wallet.example', secret);
		expect(link).toBe(`https://wallet.example/pair#${secret}`);
		expect(new URL(link).search).toBe('');
		expect(secretFromLink(link)).toBe(secret);
		expect(secretFromLink(`  ${secret} `)).toBe(secret);
		expect(secretFromLink('https://wallet.example/pair#short')).toBeUndefined();
		expect(secretFromLink('https://wallet.example/pair')).toBeUndefined();
		expect(secretFromLink(`${secret.slice(0, 42)}!`)).toBeUndefined();
	});
});
