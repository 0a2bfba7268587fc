/** Argon2id parameters, apart from the wasm implementation so callers can import them cheaply. */
export interface KdfParams {
	algorithm: 'argon2id';
	/** Memory in KiB. */
	memoryKiB: number;
	iterations: number;
	parallelism: number;
	salt: Uint8Array;
}

/** Shipped parameters: Bitwarden's default, the floor ARCHITECTURE.md sets. */
export const DEFAULT_KDF = { memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 } as const;
export const SALT_LENGTH = 16;
