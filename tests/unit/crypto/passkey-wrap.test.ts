import { describe, expect, it } from 'vitest';
import { randomBytes } from '$lib/crypto/bytes';
import { openVaultKeyWrap, PasskeyWrapError, wrapVaultKey } from '$lib/crypto/passkey-wrap';

function fixture() {
	const vaultKey = randomBytes(32);
	const prfOutput = randomBytes(32);
	const credentialId = randomBytes(16);
	const wrapped = wrapVaultKey({ vaultKey, prfOutput, credentialId, keyGeneration: 3 });
	return { vaultKey, prfOutput, credentialId, wrapped };
}

describe('passkey wrap of the vault key', () => {
	it('opens with the same PRF output, credential id and key generation', () => {
		const { vaultKey, prfOutput, credentialId, wrapped } = fixture();
		const opened = openVaultKeyWrap({ wrapped, prfOutput, credentialId, keyGeneration: 3 });
		expect(opened).toEqual(vaultKey);
		expect(wrapped.length).toBe(24 + 32 + 16);
	});

	it('another PRF output (another passkey, or no user verification) does not open it', () => {
		const { credentialId, wrapped } = fixture();
		expect(() =>
			openVaultKeyWrap({ wrapped, prfOutput: randomBytes(32), credentialId, keyGeneration: 3 })
		).toThrow(PasskeyWrapError);
	});

	it('attack: the wrap stored next to another credential id does not open', () => {
		const { prfOutput, wrapped } = fixture();
		expect(() =>
			openVaultKeyWrap({ wrapped, prfOutput, credentialId: randomBytes(16), keyGeneration: 3 })
		).toThrow(PasskeyWrapError);
	});

	it('attack: a wrap made before a key rotation does not open under the new generation', () => {
		const { prfOutput, credentialId, wrapped } = fixture();
		for (const keyGeneration of [2, 4]) {
			expect(() => openVaultKeyWrap({ wrapped, prfOutput, credentialId, keyGeneration })).toThrow(
				PasskeyWrapError
			);
		}
	});

	it('a flipped bit or a short PRF output is refused', () => {
		const { prfOutput, credentialId, wrapped } = fixture();
		const flipped = wrapped.slice();
		flipped[30] ^= 1;
		expect(() =>
			openVaultKeyWrap({ wrapped: flipped, prfOutput, credentialId, keyGeneration: 3 })
		).toThrow(PasskeyWrapError);
		expect(() =>
			openVaultKeyWrap({
				wrapped,
				prfOutput: prfOutput.slice(0, 16),
				credentialId,
				keyGeneration: 3
			})
		).toThrow(PasskeyWrapError);
	});
});
