/**
 * Sealed messages on one relay topic: the relay (and anyone watching it) sees the topic name and
 * ciphertext, nothing else. Both the topic and the key come from one shared secret by HKDF with
 * their own labels (the pairing secret, or a vault room's secret), so knowing the topic says
 * nothing about the key.
 *
 * Each message is XChaCha20-Poly1305 over JSON { f: sender id, k: kind, b: body } with the topic
 * as associated data, so a message cannot be replayed onto another topic. Anything that does not
 * open, or does not parse, is ignored: the relay and other clients are not trusted. The relay
 * echoes our own messages back; they are recognised by the random sender id and skipped.
 */
import { open, seal } from '$lib/crypto/aead';
import { fromBase64, toBase64Url, utf8Decode, utf8Encode } from '$lib/crypto/bytes';
import { hkdfSha256 } from '$lib/crypto/hkdf';
import type { RelayClient } from './relay-client';

export interface MailboxMessage {
	kind: string;
	body: Record<string, unknown>;
	/** The sender's random id for this mailbox. */
	from: string;
}

export interface Mailbox {
	readonly id: string;
	send(kind: string, body?: Record<string, unknown>): void;
	close(): void;
}

/** Topic name and sealing key of a mailbox, both derived from `secret` under `label`. */
export function mailboxAddress(
	secret: Uint8Array,
	label: string
): { topic: string; key: Uint8Array } {
	if (secret.length < 16) throw new Error('A mailbox secret must be at least 16 bytes');
	const topic = hkdfSha256({ ikm: secret, info: utf8Encode(`papiers/${label}/topic`), length: 18 });
	const key = hkdfSha256({ ikm: secret, info: utf8Encode(`papiers/${label}/key`), length: 32 });
	return { topic: `papiers-${label}-${toBase64Url(topic)}`, key };
}

export function openMailbox(options: {
	client: RelayClient;
	topic: string;
	key: Uint8Array;
	onMessage: (message: MailboxMessage) => void;
}): Mailbox {
	const { client, topic, key } = options;
	const id = toBase64Url(crypto.getRandomValues(new Uint8Array(12)));
	const associatedData = utf8Encode(`papiers/mailbox/${topic}`);
	let closed = false;

	const unsubscribe = client.subscribe(topic, (data) => {
		if (closed) return;
		let message: { f?: unknown; k?: unknown; b?: unknown };
		try {
			message = JSON.parse(utf8Decode(open({ key, sealed: fromBase64(data), associatedData })));
		} catch {
			return;
		}
		const { f, k, b } = message ?? {};
		if (typeof f !== 'string' || typeof k !== 'string' || f === id) return;
		if (!b || typeof b !== 'object' || Array.isArray(b)) return;
		options.onMessage({ from: f, kind: k, body: b as Record<string, unknown> });
	});

	return {
		id,
		send(kind, body = {}) {
			if (closed) return;
			const plaintext = utf8Encode(JSON.stringify({ f: id, k: kind, b: body }));
			client.publish(topic, toBase64Url(seal({ key, plaintext, associatedData })));
		},
		close() {
			if (closed) return;
			closed = true;
			unsubscribe();
			key.fill(0);
		}
	};
}
