/**
 * The vault's authority: an Ed25519 key pair (RFC 8032) whose 32-byte seed is sealed with the
 * vault key under the password (vault.ts), so only someone who types the password can sign.
 * Its public key sits in the vault header, bound into the header's associated data. Every device
 * can verify; no device keeps the seed after the moment the password was typed.
 *
 * It signs what must never be decided by holding the vault key alone: which devices are members
 * (device-registry.ts) and which device was removed at a key change (handover.ts).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { utf8Encode } from './bytes';

export const AUTHORITY_SEED_LENGTH = 32;

export function authorityPublicKey(seed: Uint8Array): Uint8Array {
	if (seed.length !== AUTHORITY_SEED_LENGTH) throw new TypeError('An authority seed is 32 bytes');
	return ed25519.getPublicKey(seed);
}

/** A signature over `purpose` and `message`: one purpose's signature never passes for another's. */
export function signAsAuthority(options: {
	seed: Uint8Array;
	purpose: string;
	message: Uint8Array;
}): Uint8Array {
	return ed25519.sign(framed(options.purpose, options.message), options.seed);
}

export function verifyAuthority(options: {
	publicKey: Uint8Array;
	purpose: string;
	message: Uint8Array;
	signature: Uint8Array;
}): boolean {
	try {
		return ed25519.verify(
			options.signature,
			framed(options.purpose, options.message),
			options.publicKey
		);
	} catch {
		return false;
	}
}

function framed(purpose: string, message: Uint8Array): Uint8Array {
	const label = utf8Encode(`papiers/authority/v1/${purpose}\n`);
	const out = new Uint8Array(label.length + message.length);
	out.set(label, 0);
	out.set(message, label.length);
	return out;
}
