/**
 * Pairing over the real relay (Node clients): both sides show the same code, the new device gets
 * the header only after the person confirms, the secret works once and for 10 minutes at most,
 * a man in the middle who knows the secret makes the codes differ, and the relay sees no header.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
	await relay.close();
});

function host(options: { secret?: string; ttlMs?: number } = {}) {
	const states: HostState[] = [];
	const pairing = hostPairing({
		client: relay.client(),
		offer: () => offer,
		onState: (state) => states.push(state),
		...options
	});
	return { pairing, states, last: () => states.at(-1) };
}

function join(secret: string, deviceName = 'Pixel') {
	const states: JoinState[] = [];
	const pairing = joinPairing({
		client: relay.client(),
		secret,
		deviceName,
		onState: (state) => states.push(state)
	});
	return { pairing, states, last: () => states.at(-1) };
}

describe('pairing', () => {
	it('shows the same 6-digit code on both sides and delivers the header after confirmation', async () => {
		const a = host();
		const b = join(a.pairing.secret, 'Pixel 7');
		const hostCode = await until(() => (a.last()?.step === 'comparing' ? a.last() : undefined));
		const joinCode = await until(() => (b.last()?.step === 'comparing' ? b.last() : undefined));
		expect(hostCode).toMatchObject({ step: 'comparing', deviceName: 'Pixel 7' });
		const code = (hostCode as { code: string }).code;
		expect(code).toMatch(/^\d{6}$/);
		expect((joinCode as { code: string }).code).toBe(code);

		// Nothing is sent before the person confirms on the host.
		await new Promise((resolve) => setTimeout(resolve, 300));
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
		const second = join(a.pairing.secret, 'second');
		await new Promise((resolve) => setTimeout(resolve, 2_000));
		expect(second.states).toEqual([]);
		expect(a.last()).toMatchObject({ deviceName: 'first' });
		await a.pairing.confirm();
		await until(() => a.last()?.step === 'done');
		const late = join(a.pairing.secret, 'late');
		await new Promise((resolve) => setTimeout(resolve, 1_700));
		expect(late.states).toEqual([]);
		for (const side of [first, second, late]) side.pairing.close();
	}, 10_000);

	it('expires: no answer after the time limit, and confirming then sends nothing', async () => {
		const a = host({ ttlMs: 400 });
		await until(() => a.last()?.step === 'expired', 2_000);
		const b = join(a.pairing.secret);
		await new Promise((resolve) => setTimeout(resolve, 1_700));
		expect(b.states).toEqual([]);

		const c = host({ ttlMs: 1_200 });
		const d = join(c.pairing.secret);
		await until(() => c.last()?.step === 'comparing');
		await until(() => c.last()?.step === 'expired', 3_000);
		await c.pairing.confirm();
		await new Promise((resolve) => setTimeout(resolve, 1_600));
		expect(d.states.some((state) => state.step === 'received')).toBe(false);
		b.pairing.close();
		d.pairing.close();
	}, 10_000);

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
		await new Promise((resolve) => setTimeout(resolve, 200));
		await relay.restart();
		const b = join(a.pairing.secret);
		await until(() => b.last()?.step === 'comparing', 8_000);
		await a.pairing.confirm();
		await until(() => b.states.some((state) => state.step === 'received'), 8_000);
		b.pairing.close();
	}, 15_000);
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
