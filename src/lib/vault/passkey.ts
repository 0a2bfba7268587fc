/**
 * Passkey unlock, per device and optional: the vault key wrapped under the PRF output of a
 * platform passkey (crypto/passkey-wrap.ts), kept in this device's own storage
 * (passkey-store.ts), never synced.
 *
 * A passkey opens the vault key and nothing more: the vault it makes holds no authority seed, so
 * what needs the authority (key changes, device membership, a password change) still asks for
 * the password. The password always works.
 *
 * A key rotation (keyGeneration + 1) makes the wrap stale: it would not open (the generation is
 * in its associated data), so the unlock screen offers only the password and Settings says
 * "needs setting up again". Setting it up again needs the PRF output, so it needs one touch of
 * the same passkey (with a fresh salt); the password unlock alone cannot re-wrap.
 */
import { randomBytes, wipe } from '$lib/crypto/bytes';
import { openVaultKeyWrap, PRF_SALT_LENGTH, wrapVaultKey } from '$lib/crypto/passkey-wrap';
import type { PapiersDb } from './db';
import {
	deletePasskeyRow,
	PASSKEY_DB_NAME,
	readPasskeyRow,
	writePasskeyRow
} from './passkey-store';
import { readHeader, UnlockedVault, type PasswordKeyDeriver } from './vault';
import { PasskeyError, webAuthnPrf, type PrfAuthenticator } from './webauthn-prf';

export { PasskeyError };

/** off: none on this device; on: it opens the vault; stale: made before a key rotation. */
export type PasskeyState = 'off' | 'on' | 'stale';

export interface PasskeyOptions {
	authenticator?: PrfAuthenticator;
	/** Tests only: another database name. */
	storeName?: string;
}

/** Compares the stored wrap with the header's key generation (the probe's, or the db's). */
export async function passkeyState(
	keyGeneration: number | undefined,
	options: PasskeyOptions = {}
): Promise<PasskeyState> {
	const row = await readPasskeyRow(options.storeName ?? PASSKEY_DB_NAME);
	if (!row) return 'off';
	return keyGeneration !== undefined && row.keyGeneration === keyGeneration ? 'on' : 'stale';
}

async function currentGeneration(db: PapiersDb): Promise<number> {
	const header = await readHeader(db);
	if (!header) throw new Error('No vault on this device');
	return header.keyGeneration;
}

async function storeWrap(options: {
	vault: UnlockedVault;
	credentialId: Uint8Array;
	prfSalt: Uint8Array;
	prfOutput: Uint8Array;
	storeName: string;
}): Promise<void> {
	const { vault, credentialId, prfSalt, prfOutput } = options;
	try {
		const keyGeneration = await currentGeneration(vault.db);
		const wrappedKey = vault.wrapVaultKey((vaultKey) =>
			wrapVaultKey({ vaultKey, prfOutput, credentialId, keyGeneration })
		);
		await writePasskeyRow({ credentialId, prfSalt, keyGeneration, wrappedKey }, options.storeName);
	} finally {
		wipe(prfOutput);
	}
}

/**
 * Settings → Security, turning it on: a new passkey (one touch, maybe two where the
 * authenticator cannot evaluate the PRF at creation) and the wrap of the open vault's key.
 * Throws PasskeyError ('no-prf': this device cannot do it; nothing is stored).
 */
export async function enablePasskey(vault: UnlockedVault, options: PasskeyOptions = {}) {
	const authenticator = options.authenticator ?? webAuthnPrf;
	const storeName = options.storeName ?? PASSKEY_DB_NAME;
	const previous = await readPasskeyRow(storeName);
	const prfSalt = randomBytes(PRF_SALT_LENGTH);
	const created = await authenticator.create(prfSalt);
	const prfOutput =
		created.prfOutput ?? (await authenticator.evaluate(created.credentialId, prfSalt));
	await storeWrap({ vault, credentialId: created.credentialId, prfSalt, prfOutput, storeName });
	if (previous) await authenticator.forget(previous.credentialId);
}

/**
 * After a key rotation: the same passkey, a fresh salt, the current key and generation.
 * Throws PasskeyError when the passkey no longer answers (deleted from the platform).
 */
export async function setUpPasskeyAgain(vault: UnlockedVault, options: PasskeyOptions = {}) {
	const authenticator = options.authenticator ?? webAuthnPrf;
	const storeName = options.storeName ?? PASSKEY_DB_NAME;
	const row = await readPasskeyRow(storeName);
	if (!row) return enablePasskey(vault, options);
	const prfSalt = randomBytes(PRF_SALT_LENGTH);
	const prfOutput = await authenticator.evaluate(row.credentialId, prfSalt);
	await storeWrap({ vault, credentialId: row.credentialId, prfSalt, prfOutput, storeName });
}

/** Turning it off: the wrap is deleted, and the platform told the passkey is unused. */
export async function disablePasskey(options: PasskeyOptions = {}): Promise<void> {
	const storeName = options.storeName ?? PASSKEY_DB_NAME;
	const row = await readPasskeyRow(storeName);
	await deletePasskeyRow(storeName);
	if (row) await (options.authenticator ?? webAuthnPrf).forget(row.credentialId);
}

export type PasskeyUnlockFailure = 'off' | 'stale' | 'not-opened';

export class PasskeyUnlockError extends Error {
	constructor(readonly failure: PasskeyUnlockFailure) {
		super(`Passkey unlock: ${failure}`);
		this.name = 'PasskeyUnlockError';
	}
}

/**
 * One touch: the PRF of the stored salt opens the wrap under the header's current generation.
 * The vault returned holds no authority. Throws PasskeyUnlockError ('stale' before asking the
 * authenticator, 'not-opened' when its answer does not open the wrap) or PasskeyError (cancelled,
 * verification failed, the passkey deleted from the platform).
 */
export async function unlockWithPasskey(options: {
	db: PapiersDb;
	deriveKey: PasswordKeyDeriver;
	passkey?: PasskeyOptions;
}): Promise<UnlockedVault> {
	const storeName = options.passkey?.storeName ?? PASSKEY_DB_NAME;
	const authenticator = options.passkey?.authenticator ?? webAuthnPrf;
	const row = await readPasskeyRow(storeName);
	if (!row) throw new PasskeyUnlockError('off');
	const keyGeneration = await currentGeneration(options.db);
	if (row.keyGeneration !== keyGeneration) throw new PasskeyUnlockError('stale');
	const prfOutput = await authenticator.evaluate(row.credentialId, row.prfSalt);
	let vaultKey: Uint8Array;
	try {
		// The header's generation, not the row's: a row edited to look current still fails.
		vaultKey = openVaultKeyWrap({
			wrapped: row.wrappedKey,
			prfOutput,
			credentialId: row.credentialId,
			keyGeneration
		});
	} catch {
		throw new PasskeyUnlockError('not-opened');
	} finally {
		wipe(prfOutput);
	}
	return new UnlockedVault(options.db, vaultKey, options.deriveKey);
}
