/**
 * Handing a new vault key to the remaining devices after a device is removed.
 *
 * The device that removes another one (rotate-key.ts) seals the new vault key and header to
 * each remaining device's X25519 public key from the registry (device-keys.ts: static-static
 * ECDH, so opening an envelope also proves which device sealed it) and stores the lot as a
 * vault record, `handover:<old generation>`, written in the same transaction as the re-sealed
 * vault. That record syncs in the NEW room; the old room's devices cannot read it. It carries:
 *   - the envelopes, one per remaining device, none for the removed one;
 *   - the old room's secret, so any device of the new generation can serve the handover in the
 *     old room's mailbox (a relay topic derived from that secret, mailbox.ts);
 *   - the old document's state vector at the rotation, so a device that receives the key can
 *     tell which of its own changes the rotation did not include, and keep them.
 * Every device of a newer generation serves the handovers it holds: it answers "ask" messages
 * on the old mailbox and announces them when it connects. A device of the old generation asks
 * when it connects and every ASK_EVERY_MS. So a device that was off during the removal gets its
 * key when it next unlocks, as long as one device of the new generation is online; one that
 * missed several rotations climbs them one generation at a time.
 *
 * What the removed device sees: the old mailbox (it knows the old secret) carries the handover
 * without the room secret: envelopes it cannot open, and its own id in `removed`, which lets it
 * tell its user. It never learns the new key, so it never finds the new room.
 */
import { fromBase64, toBase64, utf8Decode, utf8Encode } from '$lib/crypto/bytes';
import {
	headerFromTransfer,
	headerToTransfer,
	type TransferredHeader
} from '$lib/vault/import-header';
import type { VaultHeaderRow } from '$lib/vault/db';
import { openFromDevice, sealToDevice, type DeviceKeyPair } from './device-keys';
import { publicKeyOfRecord, type DeviceRecord } from './device-registry';
import { mailboxAddress, openMailbox, type Mailbox } from './mailbox';
import type { RelayClient } from './relay-client';

export const HANDOVER_PREFIX = 'handover:';
const ASK_EVERY_MS = 30_000;
/** Handovers older than this are no longer served: a device off that long pairs again. */
const SERVE_FOR_MS = 180 * 24 * 60 * 60 * 1000;
const MAX_SERVED = 8;

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
}

/** The vault record: the public part and the old room's secret. */
export interface HandoverRecord extends PublicHandover {
	roomSecret: string;
}

interface EnvelopeContent {
	vaultKey: string;
	header: TransferredHeader;
}

export interface ReceivedKey {
	vaultKey: Uint8Array;
	header: VaultHeaderRow;
	stateVector: Uint8Array;
}

export function handoverRecordKey(fromGeneration: number): string {
	return `${HANDOVER_PREFIX}${fromGeneration}`;
}

function context(fromGeneration: number, toGeneration: number): string {
	return `rotation/${fromGeneration}/${toGeneration}`;
}

export function buildHandover(options: {
	sender: DeviceKeyPair;
	recipients: DeviceRecord[];
	removed: string[];
	roomSecret: Uint8Array;
	stateVector: Uint8Array;
	vaultKey: Uint8Array;
	header: VaultHeaderRow;
	fromGeneration: number;
}): HandoverRecord {
	const toGeneration = options.header.keyGeneration;
	const content: EnvelopeContent = {
		vaultKey: toBase64(options.vaultKey),
		header: headerToTransfer(options.header)
	};
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
	plaintext.fill(0);
	return {
		fromGeneration: options.fromGeneration,
		toGeneration,
		at: Date.now(),
		senderId: options.sender.deviceId,
		senderPublicKey: toBase64(options.sender.publicKey),
		removed: [...options.removed],
		roomSecret: toBase64(options.roomSecret),
		stateVector: toBase64(options.stateVector),
		envelopes
	};
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
		typeof h.senderId === 'string' &&
		typeof h.senderPublicKey === 'string' &&
		Array.isArray(h.removed) &&
		typeof h.stateVector === 'string' &&
		!!h.envelopes &&
		typeof h.envelopes === 'object'
	);
}

/**
 * What a handover means for this device: its new key (the envelope opened, from a device this
 * device knows), 'removed', or undefined (not for this generation, or nothing for us).
 */
export function readHandover(options: {
	handover: unknown;
	recipient: DeviceKeyPair;
	generation: number;
	knownDevices: DeviceRecord[];
}): ReceivedKey | 'removed' | undefined {
	const { handover, recipient } = options;
	if (!isPublicHandover(handover) || handover.fromGeneration !== options.generation) return;
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
		plaintext.fill(0);
		const header = headerFromTransfer(content.header);
		const vaultKey = fromBase64(content.vaultKey);
		if (vaultKey.length !== 32 || header.keyGeneration !== handover.toGeneration) return;
		return { vaultKey, header, stateVector: fromBase64(handover.stateVector) };
	} catch {
		return undefined;
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
