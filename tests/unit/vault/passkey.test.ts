/**
 * Passkey unlock with a fake authenticator (an HMAC per credential, another secret without user
 * verification, as a CTAP2 hmac-secret authenticator does). The WebAuthn calls themselves are
 * exercised in tests/e2e/passkey.spec.ts with Chromium's virtual authenticator.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes, toHex } from '$lib/crypto/bytes';
import { openDatabase, type PapiersDb } from '$lib/vault/db';
import { createVault, deriveOnThisThread, unlockVault, type UnlockedVault } from '$lib/vault/vault';
import { rotateVaultKey } from '$lib/vault/rotate-key';
import {
	disablePasskey,
	enablePasskey,
	passkeyState,
	PasskeyUnlockError,
	setUpPasskeyAgain,
	unlockWithPasskey,
	type PasskeyOptions
} from '$lib/vault/passkey';
import { readPasskeyRow, writePasskeyRow } from '$lib/vault/passkey-store';
import { PasskeyError, type PrfAuthenticator } from '$lib/vault/webauthn-prf';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const PASSWORD = 'correct horse battery staple';

class FakeAuthenticator implements PrfAuthenticator {
	secrets = new Map<string, { withUv: Uint8Array; withoutUv: Uint8Array }>();
	userVerified = true;
	prf = true;
	prfAtCreation = true;
	evaluations = 0;
	forgotten: string[] = [];

	async create(salt: Uint8Array) {
		if (!this.prf) throw new PasskeyError('no-prf');
		const credentialId = randomBytes(16);
		this.secrets.set(toHex(credentialId), { withUv: randomBytes(32), withoutUv: randomBytes(32) });
		return {
			credentialId,
			prfOutput: this.prfAtCreation ? this.#prf(credentialId, salt) : undefined
		};
	}

	async evaluate(credentialId: Uint8Array, salt: Uint8Array) {
		this.evaluations++;
		if (!this.secrets.has(toHex(credentialId))) throw new PasskeyError('not-allowed');
		return this.#prf(credentialId, salt);
	}

	async forget(credentialId: Uint8Array) {
		this.forgotten.push(toHex(credentialId));
		this.secrets.delete(toHex(credentialId));
	}

	#prf(credentialId: Uint8Array, salt: Uint8Array) {
		const secret = this.secrets.get(toHex(credentialId))!;
		return hmac(sha256, this.userVerified ? secret.withUv : secret.withoutUv, salt);
	}
}

let db: PapiersDb;
let authenticator: FakeAuthenticator;
let passkey: PasskeyOptions;
let vault: UnlockedVault;

beforeEach(async () => {
	db = openDatabase(`papiers-test-${crypto.randomUUID()}`);
	authenticator = new FakeAuthenticator();
	passkey = { authenticator, storeName: `papiers-passkey-test-${crypto.randomUUID()}` };
	vault = await createVault({ password: PASSWORD, vault: { db, kdf } });
	await vault.put('element:email', { email: 'ada@example.org' });
});
afterEach(() => {
	vault.lock();
	db.close();
});

const deriveKey = () => Promise.reject(new Error('a passkey unlock never derives a password key'));
const openByPasskey = () => unlockWithPasskey({ db, deriveKey, passkey });
const generation = async () => (await db.header.get('main'))!.keyGeneration;

describe('passkey unlock', () => {
	it('turned on, opens the vault with one evaluation and no password; holds no authority', async () => {
		expect(await passkeyState(await generation(), passkey)).toBe('off');
		await enablePasskey(vault, passkey);
		expect(await passkeyState(await generation(), passkey)).toBe('on');
		vault.lock();

		const opened = await openByPasskey();
		expect(authenticator.evaluations).toBe(1);
		expect(await opened.get('element:email')).toEqual({ email: 'ada@example.org' });
		// What needs the authority (membership, key changes) must come from the password.
		expect(opened.takeAuthority()).toBeUndefined();
		opened.lock();
	});

	it('works where the authenticator evaluates the PRF only at assertion (two touches to set up)', async () => {
		authenticator.prfAtCreation = false;
		await enablePasskey(vault, passkey);
		expect(authenticator.evaluations).toBe(1);
		vault.lock();
		const opened = await openByPasskey();
		expect(await opened.get('element:email')).toEqual({ email: 'ada@example.org' });
		opened.lock();
	});

	it('without user verification the PRF differs: the vault stays locked', async () => {
		await enablePasskey(vault, passkey);
		authenticator.userVerified = false;
		await expect(openByPasskey()).rejects.toEqual(new PasskeyUnlockError('not-opened'));
		const byPassword = await unlockVault({ password: PASSWORD, vault: { db } });
		expect(await byPassword.get('element:email')).toEqual({ email: 'ada@example.org' });
		byPassword.lock();
	});

	it('a passkey deleted from the platform: a PasskeyError, and the password still works', async () => {
		await enablePasskey(vault, passkey);
		authenticator.secrets.clear();
		await expect(openByPasskey()).rejects.toBeInstanceOf(PasskeyError);
		const byPassword = await unlockVault({ password: PASSWORD, vault: { db } });
		byPassword.lock();
	});

	it('an authenticator without PRF: nothing stored', async () => {
		authenticator.prf = false;
		await expect(enablePasskey(vault, passkey)).rejects.toEqual(new PasskeyError('no-prf'));
		expect(await readPasskeyRow(passkey.storeName)).toBeUndefined();
		expect(await passkeyState(await generation(), passkey)).toBe('off');
	});

	it('turning it off deletes the wrap and tells the platform', async () => {
		await enablePasskey(vault, passkey);
		const row = (await readPasskeyRow(passkey.storeName))!;
		await disablePasskey(passkey);
		expect(await readPasskeyRow(passkey.storeName)).toBeUndefined();
		expect(authenticator.forgotten).toEqual([toHex(row.credentialId)]);
		await expect(openByPasskey()).rejects.toEqual(new PasskeyUnlockError('off'));
	});

	it('after a key rotation: stale, the password once, then set up again with one touch', async () => {
		await enablePasskey(vault, passkey);
		const rotated = await rotateVaultKey({
			vault,
			db,
			password: PASSWORD,
			deriveKey: deriveOnThisThread,
			kdf
		});
		expect(await passkeyState(await generation(), passkey)).toBe('stale');
		const evaluations = authenticator.evaluations;
		await expect(openByPasskey()).rejects.toEqual(new PasskeyUnlockError('stale'));
		// Stale is known without asking the authenticator for a touch that could not work.
		expect(authenticator.evaluations).toBe(evaluations);
		rotated.vaultKey.fill(0);

		const byPassword = await unlockVault({ password: PASSWORD, vault: { db } });
		await byPassword.put('element:phone', { phone: '32470123456' });
		await setUpPasskeyAgain(byPassword, passkey);
		expect(await passkeyState(await generation(), passkey)).toBe('on');
		byPassword.lock();

		const opened = await openByPasskey();
		expect(await opened.get('element:phone')).toEqual({ phone: '32470123456' });
		opened.lock();
	});

	it('attack: a stale wrap whose stored generation was edited to the current one does not open', async () => {
		await enablePasskey(vault, passkey);
		await rotateVaultKey({ vault, db, password: PASSWORD, deriveKey: deriveOnThisThread, kdf });
		const row = (await readPasskeyRow(passkey.storeName))!;
		await writePasskeyRow({ ...row, keyGeneration: await generation() }, passkey.storeName);
		await expect(openByPasskey()).rejects.toEqual(new PasskeyUnlockError('not-opened'));
	});
});
