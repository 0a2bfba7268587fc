/**
 * Pairing a new device with a one-time secret, through the signaling relay.
 *
 * The unlocked device (the host) makes a random 256-bit secret S and shows it as a link
 * `<origin>/pair#<S>` and a QR code of that link; the fragment never reaches a server. S gives
 * the relay topic and the key sealing every message on it (mailbox.ts), so the relay sees
 * ciphertext on a topic it cannot link to anything. The host answers one device only and gives
 * up after 10 minutes (PAIRING_TTL_MS); then S is forgotten.
 *
 * Knowing S is not enough to take the vault: S sits in a QR code on a screen, or in a link that
 * may travel through a chat. So each side also makes an ephemeral X25519 key, and both screens
 * show a 6-digit code derived from S and both public keys. Someone in the middle who knows S
 * has to run the exchange separately with each side, with its own keys, and the codes then
 * differ. The joiner commits to its key (a hash) before it sees the host's key, and the host
 * reveals its key before it sees the joiner's: neither the joiner's side nor a man in the middle
 * can choose a key after seeing the other, so matching codes by trying keys is one chance in a
 * million per attempt, and each attempt costs the person a fresh QR code.
 *
 *   joiner -> host   hello  { commit: H(joinerKey), name }      repeated until answered
 *   host   -> joiner key    { to, pub: hostKey }                 host is now bound to this joiner
 *   joiner -> host   reveal { pub: joinerKey }                   host checks it against the commit
 *   both screens show the code; the person confirms on the host
 *   host   -> joiner vault  { to, sealed }                        repeated until done
 *   joiner -> host   done
 *
 * `sealed` is the vault header and device names under a key from X25519(host, joiner) and S:
 * even the relay's operator, had it S, would see only the header's ciphertext, which is the
 * vault key wrapped under the password in any case.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { open, seal } from '$lib/crypto/aead';
import {
	concatBytes,
	equalBytes,
	fromBase64,
	toBase64Url,
	utf8Decode,
	utf8Encode,
	wipe
} from '$lib/crypto/bytes';
import { hkdfSha256 } from '$lib/crypto/hkdf';
import { headerFromTransfer, type TransferredHeader } from '$lib/vault/import-header';
import { mailboxAddress, openMailbox, type MailboxMessage } from './mailbox';
import type { RelayClient } from './relay-client';

export const PAIRING_TTL_MS = 10 * 60 * 1000;
const RESEND_MS = 1_500;
const SECRET_BYTES = 32;
const MAX_NAME_LENGTH = 60;

/** What the new device receives once the codes are confirmed. */
export interface PairingOffer {
	header: TransferredHeader;
	/** Names of the devices that already hold the vault. */
	devices: string[];
}

export type HostState =
	| { step: 'waiting'; expiresAt: number }
	| { step: 'comparing'; code: string; deviceName: string; expiresAt: number }
	| { step: 'sending'; deviceName: string }
	| { step: 'done'; deviceName: string }
	| { step: 'rejected' }
	| { step: 'expired' }
	| { step: 'closed' };

export type JoinState =
	| { step: 'connecting' }
	| { step: 'comparing'; code: string }
	| { step: 'received'; offer: PairingOffer }
	| { step: 'rejected' };

export function newPairingSecret(): string {
	return toBase64Url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

export function pairingLink(origin: string, secret: string): string {
	return `${origin}/pair#${secret}`;
}

/** The secret in a pasted or scanned link (or a bare secret); undefined when there is none. */
export function secretFromLink(text: string): string | undefined {
	const trimmed = text.trim();
	const candidate = trimmed.includes('#') ? trimmed.slice(trimmed.lastIndexOf('#') + 1) : trimmed;
	if (!/^[A-Za-z0-9_-]{43}$/.test(candidate)) return undefined;
	try {
		return fromBase64(candidate).length === SECRET_BYTES ? candidate : undefined;
	} catch {
		return undefined;
	}
}

function secretBytes(secret: string): Uint8Array {
	if (secretFromLink(secret) !== secret) throw new Error('Not a pairing secret');
	return fromBase64(secret);
}

function commitment(publicKey: Uint8Array): string {
	return toBase64Url(sha256(concatBytes(utf8Encode('papiers/pair/commit/'), publicKey)));
}

/** The 6 digits both screens show: S and both public keys, so a key swap changes them. */
export function pairingCode(
	secret: Uint8Array,
	hostKey: Uint8Array,
	joinerKey: Uint8Array
): string {
	const info = concatBytes(utf8Encode('papiers/pair/code/'), hostKey, joinerKey);
	const bytes = hkdfSha256({ ikm: secret, info, length: 4 });
	const value = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) % 1_000_000;
	return String(value).padStart(6, '0');
}

function sessionKey(
	secret: Uint8Array,
	ownPrivate: Uint8Array,
	peerPublic: Uint8Array,
	hostKey: Uint8Array,
	joinerKey: Uint8Array
): Uint8Array {
	const shared = x25519.getSharedSecret(ownPrivate, peerPublic);
	try {
		const info = concatBytes(utf8Encode('papiers/pair/session/'), hostKey, joinerKey);
		return hkdfSha256({ ikm: shared, salt: secret, info, length: 32 });
	} finally {
		wipe(shared);
	}
}

const OFFER_AD = utf8Encode('papiers/pair/offer');

function publicKeyField(value: unknown): Uint8Array | undefined {
	if (typeof value !== 'string') return undefined;
	try {
		const key = fromBase64(value);
		return key.length === 32 ? key : undefined;
	} catch {
		return undefined;
	}
}

function cleanName(value: unknown): string {
	return typeof value === 'string' ? value.trim().slice(0, MAX_NAME_LENGTH) : '';
}

export interface PairingHost {
	readonly secret: string;
	readonly expiresAt: number;
	readonly state: HostState;
	/** The person saw the same code on both screens: send the vault header. */
	confirm(): Promise<void>;
	/** The codes differ: tell the other side and stop. */
	reject(): void;
	close(): void;
}

/** Runs the host side; `offer` is read when the person confirms, so it is current. */
export function hostPairing(options: {
	client: RelayClient;
	offer: () => PairingOffer | Promise<PairingOffer>;
	onState: (state: HostState) => void;
	secret?: string;
	ttlMs?: number;
}): PairingHost {
	const secret = options.secret ?? newPairingSecret();
	const secretKey = secretBytes(secret);
	const expiresAt = Date.now() + (options.ttlMs ?? PAIRING_TTL_MS);
	const hostPrivate = x25519.utils.randomSecretKey();
	const hostPublic = x25519.getPublicKey(hostPrivate);
	let state: HostState = { step: 'waiting', expiresAt };
	let joiner: { id: string; commit: string; name: string; publicKey?: Uint8Array } | undefined;
	let sealedOffer: string | undefined;
	const address = mailboxAddress(secretKey, 'pair');
	const mailbox = openMailbox({ client: options.client, ...address, onMessage: receive });
	const timer = setInterval(tick, RESEND_MS);
	const expiry = setTimeout(() => finish({ step: 'expired' }), expiresAt - Date.now());

	function set(next: HostState) {
		state = next;
		options.onState(next);
	}

	function finish(final: HostState) {
		if (!['waiting', 'comparing', 'sending'].includes(state.step)) return;
		clearInterval(timer);
		clearTimeout(expiry);
		mailbox.close();
		wipe(secretKey, hostPrivate);
		set(final);
	}

	function sendKey() {
		if (joiner) mailbox.send('key', { to: joiner.id, pub: toBase64Url(hostPublic) });
	}

	function tick() {
		if (Date.now() >= expiresAt) return finish({ step: 'expired' });
		if (state.step === 'waiting' && joiner) sendKey();
		if (state.step === 'sending' && joiner && sealedOffer) {
			mailbox.send('vault', { to: joiner.id, sealed: sealedOffer });
		}
	}

	function receive(message: MailboxMessage) {
		if (Date.now() >= expiresAt) return finish({ step: 'expired' });
		const { kind, body, from } = message;
		if (kind === 'hello' && state.step === 'waiting') {
			if (!joiner && typeof body.commit === 'string') {
				joiner = { id: from, commit: body.commit, name: cleanName(body.name) };
			}
			if (joiner?.id === from) sendKey();
		} else if (kind === 'reveal' && state.step === 'waiting' && joiner?.id === from) {
			const joinerPublic = publicKeyField(body.pub);
			if (!joinerPublic || commitment(joinerPublic) !== joiner.commit) return;
			joiner.publicKey = joinerPublic;
			set({
				step: 'comparing',
				code: pairingCode(secretKey, hostPublic, joinerPublic),
				deviceName: joiner.name,
				expiresAt
			});
		} else if (kind === 'done' && state.step === 'sending' && joiner?.id === from) {
			finish({ step: 'done', deviceName: joiner.name });
		}
	}

	return {
		secret,
		expiresAt,
		get state() {
			return state;
		},
		async confirm() {
			if (Date.now() >= expiresAt) return finish({ step: 'expired' });
			if (state.step !== 'comparing' || !joiner?.publicKey) return;
			const deviceName = joiner.name;
			const offer = await options.offer();
			if (state.step !== 'comparing') return;
			const key = sessionKey(
				secretKey,
				hostPrivate,
				joiner.publicKey,
				hostPublic,
				joiner.publicKey
			);
			const plaintext = utf8Encode(JSON.stringify(offer));
			sealedOffer = toBase64Url(seal({ key, plaintext, associatedData: OFFER_AD }));
			wipe(key, plaintext);
			set({ step: 'sending', deviceName });
			tick();
		},
		reject() {
			if (joiner) mailbox.send('rejected', { to: joiner.id });
			finish({ step: 'rejected' });
		},
		close() {
			finish({ step: 'closed' });
		}
	};
}

export interface PairingJoin {
	readonly state: JoinState;
	close(): void;
}

/** Runs the new device's side until it holds the offer (or the host refuses). */
export function joinPairing(options: {
	client: RelayClient;
	secret: string;
	deviceName: string;
	onState: (state: JoinState) => void;
}): PairingJoin {
	const secretKey = secretBytes(options.secret);
	const joinerPrivate = x25519.utils.randomSecretKey();
	const joinerPublic = x25519.getPublicKey(joinerPrivate);
	const commit = commitment(joinerPublic);
	let hostPublic: Uint8Array | undefined;
	let state: JoinState = { step: 'connecting' };
	let closed = false;
	const address = mailboxAddress(secretKey, 'pair');
	const mailbox = openMailbox({ client: options.client, ...address, onMessage: receive });
	const name = cleanName(options.deviceName);
	const hello = () => mailbox.send('hello', { commit, name });
	const timer = setInterval(() => {
		if (state.step === 'connecting') hello();
	}, RESEND_MS);
	const unsubscribe = options.client.onConnect(() => state.step === 'connecting' && hello());
	hello();

	function set(next: JoinState) {
		state = next;
		options.onState(next);
	}

	function receive(message: MailboxMessage) {
		const { kind, body } = message;
		if (body.to !== mailbox.id) return;
		if (kind === 'key') {
			const offered = publicKeyField(body.pub);
			if (!offered) return;
			if (!hostPublic) {
				hostPublic = offered;
				set({ step: 'comparing', code: pairingCode(secretKey, hostPublic, joinerPublic) });
			}
			if (equalBytes(hostPublic, offered))
				mailbox.send('reveal', { pub: toBase64Url(joinerPublic) });
		} else if (kind === 'vault' && hostPublic && typeof body.sealed === 'string') {
			if (state.step === 'received') return mailbox.send('done');
			const key = sessionKey(secretKey, joinerPrivate, hostPublic, hostPublic, joinerPublic);
			try {
				const plaintext = open({ key, sealed: fromBase64(body.sealed), associatedData: OFFER_AD });
				const offer = JSON.parse(utf8Decode(plaintext)) as PairingOffer;
				headerFromTransfer(offer.header);
				const devices = Array.isArray(offer.devices) ? offer.devices.map(cleanName) : [];
				mailbox.send('done');
				set({ step: 'received', offer: { header: offer.header, devices } });
			} catch {
				// Not sealed for us: someone else on the topic. Keep waiting for the real host.
			} finally {
				wipe(key);
			}
		} else if (kind === 'rejected' && state.step !== 'received') {
			set({ step: 'rejected' });
		}
	}

	return {
		get state() {
			return state;
		},
		close() {
			if (closed) return;
			closed = true;
			clearInterval(timer);
			unsubscribe();
			mailbox.close();
			wipe(secretKey, joinerPrivate);
		}
	};
}
