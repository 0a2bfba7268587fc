/**
 * Device identities and messages sealed from one device to another.
 *
 * Each device has an X25519 key pair (RFC 7748). The private key never leaves the device
 * (device-store.ts keeps it sealed under the vault key); the public key is in the device's
 * registry record, synced with the vault. A device's id is a hash of its public key, so a
 * registry record cannot pair an existing id with another key: whoever sends "from device X"
 * must hold the private key whose public key hashes to X.
 *
 * A device-to-device envelope is XChaCha20-Poly1305 under HKDF-SHA256 of the static-static
 * X25519 secret, with both ids and a context string in the HKDF info and the associated data.
 * Only the two devices can compute the key, so opening an envelope also proves who sealed it.
 * It carries the new vault key when a device is removed (handover.ts).
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { open, seal } from '$lib/crypto/aead';
import { concatBytes, toBase64Url, utf8Encode, wipe } from '$lib/crypto/bytes';
import { hkdfSha256 } from '$lib/crypto/hkdf';

export interface DeviceKeyPair {
	deviceId: string;
	publicKey: Uint8Array;
	privateKey: Uint8Array;
}

export function deviceIdOf(publicKey: Uint8Array): string {
	if (publicKey.length !== 32) throw new TypeError('An X25519 public key is 32 bytes');
	return toBase64Url(
		sha256(concatBytes(utf8Encode('papiers/device-id/'), publicKey)).subarray(0, 16)
	);
}

export function newDeviceKeyPair(): DeviceKeyPair {
	const privateKey = x25519.utils.randomSecretKey();
	const publicKey = x25519.getPublicKey(privateKey);
	return { deviceId: deviceIdOf(publicKey), publicKey, privateKey };
}

/** The public key of a private key, to check a stored pair still belongs together. */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
	return x25519.getPublicKey(privateKey);
}

function envelopeKey(options: {
	ownPrivateKey: Uint8Array;
	peerPublicKey: Uint8Array;
	label: Uint8Array;
}): Uint8Array {
	const shared = x25519.getSharedSecret(options.ownPrivateKey, options.peerPublicKey);
	try {
		return hkdfSha256({ ikm: shared, info: options.label, length: 32 });
	} finally {
		wipe(shared);
	}
}

function envelopeLabel(context: string, senderId: string, recipientId: string): Uint8Array {
	return utf8Encode(`papiers/device-envelope/v1/${context}/${senderId}/${recipientId}`);
}

export function sealToDevice(options: {
	sender: Pick<DeviceKeyPair, 'deviceId' | 'privateKey'>;
	recipientId: string;
	recipientPublicKey: Uint8Array;
	context: string;
	plaintext: Uint8Array;
}): Uint8Array {
	if (deviceIdOf(options.recipientPublicKey) !== options.recipientId) {
		throw new Error('The recipient id does not match its public key');
	}
	const label = envelopeLabel(options.context, options.sender.deviceId, options.recipientId);
	const key = envelopeKey({
		ownPrivateKey: options.sender.privateKey,
		peerPublicKey: options.recipientPublicKey,
		label
	});
	try {
		return seal({ key, plaintext: options.plaintext, associatedData: label });
	} finally {
		wipe(key);
	}
}

/** Throws when the envelope was not sealed by `senderId` for this device in this context. */
export function openFromDevice(options: {
	recipient: Pick<DeviceKeyPair, 'deviceId' | 'privateKey'>;
	senderId: string;
	senderPublicKey: Uint8Array;
	context: string;
	sealed: Uint8Array;
}): Uint8Array {
	if (deviceIdOf(options.senderPublicKey) !== options.senderId) {
		throw new Error('The sender id does not match its public key');
	}
	const label = envelopeLabel(options.context, options.senderId, options.recipient.deviceId);
	const key = envelopeKey({
		ownPrivateKey: options.recipient.privateKey,
		peerPublicKey: options.senderPublicKey,
		label
	});
	try {
		return open({ key, sealed: options.sealed, associatedData: label });
	} finally {
		wipe(key);
	}
}
