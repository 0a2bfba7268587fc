/**
 * Telling the remaining devices that the vault has a new key after devices were removed.
 *
 * The device that removes others (rotate-key.ts) seals the new vault header to each remaining
 * device's X25519 public key from the registry (device-keys.ts: static-static ECDH, so opening
 * an envelope also proves which device sealed it) and stores the lot as a vault record,
 * `handover:<old generation>`, written in the same transaction as the re-sealed vault. That
 * record syncs in the NEW room; the old room's devices cannot read it. It carries:
 *   - the envelopes, one per remaining member, none for the removed ones; an envelope holds the
 *     new header, never the key: the new key is wrapped in that header under the password;
 *   - the old room's secret, so any device of the new generation can serve the handover in the
 *     old room's mailbox (a relay topic derived from that secret, mailbox.ts);
 *   - the old document's state vector at the rotation, so a device that takes the key can tell
 *     which of its own changes the rotation did not include, and keep them;
 *   - the signature of the old generation's authority (authority.ts) over all of the above but
 *     the room secret: only someone who typed the password made it.
 *
 * The password is the only authority (README, Security). A device of the old generation:
 *   - ignores a handover the current authority did not sign (a key holder without the password
 *     cannot make a device stop, move, or ask its person anything);
 *   - reads "removed" only from a signed handover;
 *   - stops sending in the old room as soon as a signed handover has an envelope for it, and
 *     takes the new key only when its person's password opens the new header (confirmKeyChange
 *     in device-sync.ts). A removed device that knew the password can sign, but after "Remove
 *     and change password" its header does not open under the new password the person types.
 *
 * Every device of a newer generation serves the handovers it holds: it answers "ask" messages on
 * the old mailbox and announces them when it connects. A device of the old generation asks when
 * it connects and every ASK_EVERY_MS, so a device that was off during the removal hears of it
 * when it next unlocks, as long as one device of the new generation is online.
 */
import { signAsAuthority, verifyAuthority } from '$lib/crypto/authority';
import { fromBase64, toBase64, utf8Decode, utf8Encode, wipe } from '$lib/crypto/bytes';
import type { KdfCost } from '$lib/crypto/kdf-params';
import {
	headerFromTransfer,
	headerToTransfer,
	type TransferredHeader
} from '$lib/vault/import-header';
import type { VaultHeaderRow } from '$lib/vault/db';
import { WrongPasswordError } from '$lib/vault/types';
import { openHeader, type OpenedHeader, type PasswordKeyDeriver } from '$lib/vault/vault';
import { openFromDevice, sealToDevice, type DeviceKeyPair } from './device-keys';
import { publicKeyOfRecord, type DeviceRecord } from './device-registry';
import { mailboxAddress, openMailbox, type Mailbox } from './mailbox';
import type { RelayClient } from './relay-client';

export const HANDOVER_PREFIX = 'handover:';
const ASK_EVERY_MS = 30_000;
/** Handovers older than this are no longer served: a device off that long pairs again. */
const SERVE_FOR_MS = 180 * 24 * 60 * 60 * 1000;
const MAX_SERVED = 8;
const SIGNATURE_PURPOSE = 'handover';
const MAX_REMOVED = 64;

/** What travels on the old mailbox. */
export interface PublicHandover {
	fromGeneration: number;
	toGeneration: number;
	at: number;
	senderId: string;
	senderPublicKey: string;
	removed: string[];
	/** Y.encodeStateVector of the old document when the rotation read it, base64. */
	stateVector: string;
	envelopes: Record<string, string>;
	/** The old generation's authority over everything above (signedPart), base64. */
	signature: string;
}

/** The vault record: the public part and the old room's secret. */
export interface HandoverRecord extends PublicHandover {
	roomSecret: string;
}

interface EnvelopeContent {
	header: TransferredHeader;
}

/** A key change this device was told of, waiting for its person's password. */
export interface ReceivedKeyChange {
	senderId: string;
	/** The new header: its key opens only with the password. */
	header: VaultHeaderRow;
	stateVector: Uint8Array;
}

export function handoverRecordKey(fromGeneration: number): string {
	return `${HANDOVER_PREFIX}${fromGeneration}`;
}

function context(fromGeneration: number, toGeneration: number): string {
	return `rotation/${fromGeneration}/${toGeneration}`;
}

/** The signed bytes: every public field but the signature, in a fixed order. */
function signedPart(handover: Omit<PublicHandover, 'signature'>): Uint8Array {
	return utf8Encode(
		JSON.stringify([
			handover.fromGeneration,
			handover.toGeneration,
			handover.at,
			handover.senderId,
			handover.senderPublicKey,
			handover.removed,
			handover.stateVector,
			Object.entries(handover.envelopes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		])
	);
}

export function buildHandover(options: {
	sender: DeviceKeyPair;
	recipients: DeviceRecord[];
	removed: string[];
	roomSecret: Uint8Array;
	stateVector: Uint8Array;
	header: VaultHeaderRow;
	fromGeneration: number;
	/** The current (old) authority's seed, opened by the password typed for this removal. */
	authoritySeed: Uint8Array;
}): HandoverRecord {
	const toGeneration = options.header.keyGeneration;
	const content: EnvelopeContent = { header: headerToTransfer(options.header) };
	const plaintext = utf8Encode(JSON.stringify(content));
	const envelopes: Record<string, string> = {};
	for (const recipient of options.recipients) {
		if (recipient.id === options.sender.deviceId || options.removed.includes(recipient.id))
			continue;
		envelopes[recipient.id] = toBase64(
			sealToDevice({
				sender: options.sender,
				recipientId: recipient.id,
				recipientPublicKey: publicKeyOfRecord(recipient),
				context: context(options.fromGeneration, toGeneration),
				plaintext
			})
		);
	}
	const unsigned = {
		fromGeneration: options.fromGeneration,
		toGeneration,
		at: Date.now(),
		senderId: options.sender.deviceId,
		senderPublicKey: toBase64(options.sender.publicKey),
		removed: [...options.removed],
		stateVector: toBase64(options.stateVector),
		envelopes
	};
	const signature = signAsAuthority({
		seed: options.authoritySeed,
		purpose: SIGNATURE_PURPOSE,
		message: signedPart(unsigned)
	});
	return { ...unsigned, signature: toBase64(signature), roomSecret: toBase64(options.roomSecret) };
}

export function publicPart(record: HandoverRecord): PublicHandover {
	const { roomSecret: _secret, ...rest } = record;
	return rest;
}

function isPublicHandover(value: unknown): value is PublicHandover {
	const h = value as PublicHandover;
	return (
		!!h &&
		typeof h === 'object' &&
		Number.isInteger(h.fromGeneration) &&
		h.toGeneration === h.fromGeneration + 1 &&
		Number.isFinite(h.at) &&
		typeof h.senderId === 'string' &&
		typeof h.senderPublicKey === 'string' &&
		Array.isArray(h.removed) &&
		h.removed.length <= MAX_REMOVED &&
		h.removed.every((id) => typeof id === 'string') &&
		typeof h.stateVector === 'string' &&
		typeof h.signature === 'string' &&
		!!h.envelopes &&
		typeof h.envelopes === 'object' &&
		!Array.isArray(h.envelopes) &&
		Object.values(h.envelopes).every((sealed) => typeof sealed === 'string')
	);
}

function isSigned(handover: PublicHandover, authorityPublicKey: Uint8Array): boolean {
	try {
		return verifyAuthority({
			publicKey: authorityPublicKey,
			purpose: SIGNATURE_PURPOSE,
			message: signedPart(handover),
			signature: fromBase64(handover.signature)
		});
	} catch {
		return false;
	}
}

/**
 * What a handover means for this device: 'removed'; a key change to confirm with the password
 * (the envelope opened, sealed by a member this device knows); or undefined (unsigned by this
 * vault's authority, not for this generation, or nothing for us).
 */
export function readHandover(options: {
	handover: unknown;
	recipient: DeviceKeyPair;
	generation: number;
	/** The member devices (granted: device-registry.ts). */
	knownDevices: DeviceRecord[];
	/** This device's current header's authority. */
	authorityPublicKey: Uint8Array;
	/** The least a new header may cost (the shipped KDF unless a test lowers it). */
	kdfFloor?: KdfCost;
}): ReceivedKeyChange | 'removed' | undefined {
	const { handover, recipient } = options;
	if (!isPublicHandover(handover) || handover.fromGeneration !== options.generation) return;
	if (!isSigned(handover, options.authorityPublicKey)) return;
	if (handover.removed.includes(recipient.deviceId)) return 'removed';
	const sealed = handover.envelopes[recipient.deviceId];
	const sender = options.knownDevices.find((device) => device.id === handover.senderId);
	if (typeof sealed !== 'string' || !sender || sender.publicKey !== handover.senderPublicKey) {
		return undefined;
	}
	try {
		const plaintext = openFromDevice({
			recipient,
			senderId: sender.id,
			senderPublicKey: publicKeyOfRecord(sender),
			context: context(handover.fromGeneration, handover.toGeneration),
			sealed: fromBase64(sealed)
		});
		const content = JSON.parse(utf8Decode(plaintext)) as EnvelopeContent;
		const header = headerFromTransfer(content?.header, { floor: options.kdfFloor });
		if (header.keyGeneration !== handover.toGeneration || header.format !== 2) return;
		return { senderId: sender.id, header, stateVector: fromBase64(handover.stateVector) };
	} catch {
		return undefined;
	}
}

/** Several devices announced a new key and the typed password cannot tell which is real. */
export class AmbiguousKeyChangeError extends Error {
	constructor() {
		super('Several devices sent a new key, and this password does not tell them apart');
		this.name = 'AmbiguousKeyChangeError';
	}
}

/**
 * The key change whose new header the person's password opens. A forged one (a removed device
 * that signed with the old password's authority) does not open under the new password the
 * person chose at removal. Throws WrongPasswordError when none opens.
 *
 * When more than one change is waiting, one of them may come from a removed device that knew
 * the password: the typed password must then open exactly one, and must not be the password
 * this device already opens with (`current`), since a removed device could have wrapped its
 * forgery under that one (AmbiguousKeyChangeError: the person removes again with a new password).
 */
export async function openKeyChange(options: {
	changes: ReceivedKeyChange[];
	password: string;
	deriveKey: PasswordKeyDeriver;
	current?: VaultHeaderRow;
}): Promise<{ change: ReceivedKeyChange; opened: OpenedHeader }> {
	const opening: { change: ReceivedKeyChange; opened: OpenedHeader }[] = [];
	for (const change of options.changes) {
		try {
			const opened = await openHeader(change.header, options.password, options.deriveKey);
			if (opened.authoritySeed) opening.push({ change, opened });
		} catch {
			// Not this one.
		}
	}
	if (opening.length === 0) throw new WrongPasswordError();
	const forget = () => {
		for (const { opened } of opening) wipe(opened.vaultKey, opened.authoritySeed!);
	};
	if (options.changes.length > 1) {
		if (opening.length > 1) {
			forget();
			throw new AmbiguousKeyChangeError();
		}
		if (
			options.current &&
			(await opensWith(options.current, options.password, options.deriveKey))
		) {
			forget();
			throw new AmbiguousKeyChangeError();
		}
	}
	return opening[0];
}

async function opensWith(
	header: VaultHeaderRow,
	password: string,
	deriveKey: PasswordKeyDeriver
): Promise<boolean> {
	try {
		const opened = await openHeader(header, password, deriveKey);
		wipe(opened.vaultKey);
		if (opened.authoritySeed) wipe(opened.authoritySeed);
		return true;
	} catch {
		return false;
	}
}

/** Serves the handovers this device holds on their old mailboxes. */
export class HandoverServer {
	#client: RelayClient;
	#served = new Map<string, { mailbox: Mailbox; record: HandoverRecord }>();
	#unsubscribe: () => void;

	constructor(client: RelayClient) {
		this.#client = client;
		this.#unsubscribe = client.onConnect(() => {
			for (const { mailbox, record } of this.#served.values()) {
				mailbox.send('handover', { handover: publicPart(record) });
			}
		});
	}

	/** Serves exactly these records (the newest few), announcing any new one. */
	update(records: HandoverRecord[]): void {
		const now = Date.now();
		const wanted = records
			.filter((record) => now - record.at < SERVE_FOR_MS && typeof record.roomSecret === 'string')
			.sort((a, b) => b.fromGeneration - a.fromGeneration)
			.slice(0, MAX_SERVED);
		const keys = new Set(wanted.map((record) => `${record.fromGeneration}`));
		for (const [key, served] of this.#served) {
			if (!keys.has(key)) {
				served.mailbox.close();
				this.#served.delete(key);
			}
		}
		for (const record of wanted) {
			const key = `${record.fromGeneration}`;
			if (this.#served.has(key)) continue;
			const address = mailboxAddress(fromBase64(record.roomSecret), 'handover');
			const mailbox = openMailbox({
				client: this.#client,
				...address,
				onMessage: ({ kind }) => {
					if (kind === 'ask') mailbox.send('handover', { handover: publicPart(record) });
				}
			});
			this.#served.set(key, { mailbox, record });
			mailbox.send('handover', { handover: publicPart(record) });
		}
	}

	close(): void {
		this.#unsubscribe();
		for (const { mailbox } of this.#served.values()) mailbox.close();
		this.#served.clear();
	}
}

/** Listens on this generation's mailbox for a handover, asking now and then. */
export function listenForHandover(options: {
	client: RelayClient;
	roomSecret: Uint8Array;
	onHandover: (handover: unknown) => void;
}): () => void {
	const address = mailboxAddress(options.roomSecret, 'handover');
	const mailbox = openMailbox({
		client: options.client,
		...address,
		onMessage: ({ kind, body }) => {
			if (kind === 'handover') options.onHandover(body.handover);
		}
	});
	const ask = () => mailbox.send('ask');
	const unsubscribe = options.client.onConnect(ask);
	const timer = setInterval(ask, ASK_EVERY_MS);
	ask();
	return () => {
		clearInterval(timer);
		unsubscribe();
		mailbox.close();
	};
}
