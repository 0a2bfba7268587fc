/**
 * The removed device's modified code, talking to the other devices through the relay: it holds
 * what an unlocked device holds (the vault key, its own device key: stolen-device.ts), and on the
 * old generation's handover mailbox (handover.ts, mailbox.ts) it sends
 *   - a forged key handover: an envelope sealed with its REAL device key to each other member,
 *     holding a new header (a vault key of its choosing, wrapped under its own password at the
 *     shipped KDF cost, so nothing but the authority's signature stands in the way). Without the
 *     password it signs with an Ed25519 key of its own, since the vault's authority seed opens
 *     only with the password; with the password it signs with the vault's authority;
 *   - without the password only, a fake "removed" notice naming the victim, signed the same way
 *     (with the password it could remove the victim for real: the password is the authority).
 * It sends both at once, again whenever it (re)connects, and as the answer to every "ask" the
 * honest devices send on that mailbox, as a device serving a handover does.
 *
 * It runs in Node with the project's own modules, so the messages are exactly what the app would
 * build, and talks to the relay with the `ws` package under its own User-Agent, so the test can
 * see at the relay what it sent and when.
 */
import { createRequire } from 'node:module';
import { randomBytes } from '$lib/crypto/bytes';
import { AUTHORITY_SEED_LENGTH } from '$lib/crypto/authority';
import { DEFAULT_KDF } from '$lib/crypto/kdf-params';
import { deriveOnThisThread, sealHeader } from '$lib/vault/vault';
import { buildHandover, publicPart, type PublicHandover } from '$lib/sync/handover';
import { mailboxAddress, openMailbox } from '$lib/sync/mailbox';
import { RelayClient, type RelaySocket } from '$lib/sync/relay-client';
import type { StolenDevice } from './stolen-device';

const { WebSocket } = createRequire(import.meta.url)('ws') as {
	WebSocket: new (url: string, options: { headers: Record<string, string> }) => RelaySocket;
};

export const ATTACKER_USER_AGENT = 'PapiersTest/attacker';
export const ATTACKER_PASSWORD = 'the attacker chose this password';

export interface Misbehaviour {
	/** The relay topic of the old generation's handover mailbox. */
	topic: string;
	/** The forged messages, as sent. */
	forged: PublicHandover;
	fakeRemoval: PublicHandover | undefined;
	/** How many times both were sent. */
	readonly rounds: number;
	send(): void;
	close(): void;
}

export async function misbehave(options: {
	stolen: StolenDevice;
	relayUrl: string;
	/** The member to re-key, and to tell it was removed. */
	victimId: string;
	/** A member the forged handover says was removed with the key change, if any. */
	framedId?: string;
}): Promise<Misbehaviour> {
	const { stolen } = options;
	const generation = stolen.header.keyGeneration;
	const knowsPassword = !!stolen.authoritySeed;
	const signingSeed = stolen.authoritySeed ?? randomBytes(AUTHORITY_SEED_LENGTH);
	const recipients = stolen.devices.filter((device) => device.id !== stolen.identity.deviceId);
	if (!recipients.some((device) => device.id === options.victimId)) {
		throw new Error('The victim is not in the stolen registry');
	}
	const attackerHeader = await sealHeader({
		vaultKey: randomBytes(32),
		authoritySeed: randomBytes(AUTHORITY_SEED_LENGTH),
		password: ATTACKER_PASSWORD,
		kdf: DEFAULT_KDF,
		keyGeneration: generation + 1,
		hint: stolen.header.hint,
		createdAt: stolen.header.createdAt,
		inboxPublicKey: stolen.header.inboxPublicKey,
		deriveKey: deriveOnThisThread
	});
	const common = {
		sender: stolen.identity,
		roomSecret: randomBytes(32),
		stateVector: new Uint8Array([0]),
		header: attackerHeader,
		fromGeneration: generation,
		authoritySeed: signingSeed
	};
	const forged = publicPart(
		buildHandover({
			...common,
			recipients,
			removed: options.framedId ? [options.framedId] : []
		})
	);
	const fakeRemoval = knowsPassword
		? undefined
		: publicPart(buildHandover({ ...common, recipients: [], removed: [options.victimId] }));
	signingSeed.fill(0);

	const roomSecret = stolen.vault.deriveSubkey('sync-room-secret');
	const address = mailboxAddress(roomSecret, 'handover');
	roomSecret.fill(0);
	const client = new RelayClient({
		urls: [options.relayUrl],
		createSocket: (url) => new WebSocket(url, { headers: { 'User-Agent': ATTACKER_USER_AGENT } })
	});
	let rounds = 0;
	const mailbox = openMailbox({
		client,
		...address,
		onMessage: ({ kind }) => {
			if (kind === 'ask') send();
		}
	});
	function send() {
		mailbox.send('handover', { handover: forged });
		if (fakeRemoval) mailbox.send('handover', { handover: fakeRemoval });
		rounds++;
	}
	const unsubscribe = client.onConnect(send);
	return {
		topic: address.topic,
		forged,
		fakeRemoval,
		get rounds() {
			return rounds;
		},
		send,
		close() {
			unsubscribe();
			mailbox.close();
			client.close();
		}
	};
}
