/**
 * Argon2id (RFC 9106) password hashing: turns the user's password into the key that wraps
 * the vault key. hash-wasm runs it 3–4x faster than pure JS (STACK.md), which lets us afford
 * the 64 MiB / 3 passes floor. Call it off the main thread in the app (vault/kdf-client.ts).
 */
import { argon2id } from 'hash-wasm';
import type { KdfParams } from './kdf-params';

export { DEFAULT_KDF, SALT_LENGTH, type KdfParams } from './kdf-params';

export async function deriveKeyFromPassword(options: {
	password: string;
	params: KdfParams;
}): Promise<Uint8Array> {
	const { password, params } = options;
	if (params.algorithm !== 'argon2id') throw new Error(`Unsupported KDF ${params.algorithm}`);
	if (params.salt.length < 8) throw new Error('Salt too short');
	if (params.memoryKiB < 8 * params.parallelism || params.iterations < 1) {
		throw new Error('Invalid Argon2 parameters');
	}
	return argon2id({
		password: password.normalize('NFC'),
		salt: params.salt,
		iterations: params.iterations,
		parallelism: params.parallelism,
		memorySize: params.memoryKiB,
		hashLength: 32,
		outputType: 'binary'
	});
}
