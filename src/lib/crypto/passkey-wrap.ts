/**
 * The vault key wrapped for one passkey on one device (vault/passkey.ts). The key-encryption key
 * is HKDF-SHA256 of the passkey's PRF output (WebAuthn `prf` extension, evaluated with user
 * verification, so the output exists only after a fingerprint, face or device PIN). The wrap is
 * XChaCha20-Poly1305 with associated data that binds:
 *   - the credential id, so a wrap copied next to another credential (whose PRF happens to be
 *     known) does not open;
 *   - the vault's key generation, so a key rotation (a device removed, a password change with a
 *     new key) makes every passkey wrap fail until the password re-opens the vault.
 * Only the vault key is wrapped: never the authority seed (the password stays the authority).
 */
import { open, seal } from './aead';
import { toBase64Url, utf8Encode, wipe } from './bytes';
import { hkdfSha256 } from './hkdf';

/** What the PRF is evaluated with: random per wrap, stored in clear next to it. */
export const PRF_SALT_LENGTH = 32;
const WRAP_FORMAT = 1;

export class PasskeyWrapError extends Error {
	constructor() {
		super('The passkey did not open the vault key');
		this.name = 'PasskeyWrapError';
	}
}

export function passkeyAssociatedData(credentialId: Uint8Array, keyGeneration: number): Uint8Array {
	if (!Number.isSafeInteger(keyGeneration) || keyGeneration < 1) {
		throw new RangeError('Invalid key generation');
	}
	return utf8Encode(
		JSON.stringify(['papiers/passkey-wrap', WRAP_FORMAT, toBase64Url(credentialId), keyGeneration])
	);
}

function wrappingKey(prfOutput: Uint8Array): Uint8Array {
	// 32 bytes from the authenticator; anything shorter is not a PRF output we asked for.
	if (prfOutput.length < 32) throw new PasskeyWrapError();
	return hkdfSha256({ ikm: prfOutput, info: utf8Encode('papiers/v1/passkey-wrap'), length: 32 });
}

/** The wrapping key and associated data for a wrap; the caller seals the vault key with them. */
export function passkeyWrapParameters(options: {
	prfOutput: Uint8Array;
	credentialId: Uint8Array;
	keyGeneration: number;
}): { key: Uint8Array; associatedData: Uint8Array } {
	return {
		key: wrappingKey(options.prfOutput),
		associatedData: passkeyAssociatedData(options.credentialId, options.keyGeneration)
	};
}

export function wrapVaultKey(options: {
	vaultKey: Uint8Array;
	prfOutput: Uint8Array;
	credentialId: Uint8Array;
	keyGeneration: number;
}): Uint8Array {
	const { key, associatedData } = passkeyWrapParameters(options);
	try {
		return seal({ key, plaintext: options.vaultKey, associatedData });
	} finally {
		wipe(key);
	}
}

/** Throws PasskeyWrapError unless this PRF output, credential and generation made the wrap. */
export function openVaultKeyWrap(options: {
	wrapped: Uint8Array;
	prfOutput: Uint8Array;
	credentialId: Uint8Array;
	keyGeneration: number;
}): Uint8Array {
	const { key, associatedData } = passkeyWrapParameters(options);
	try {
		const vaultKey = open({ key, sealed: options.wrapped, associatedData });
		if (vaultKey.length !== 32) throw new PasskeyWrapError();
		return vaultKey;
	} catch {
		throw new PasskeyWrapError();
	} finally {
		wipe(key);
	}
}
