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

/** What a key derivation costs; the salt aside. */
export type KdfCost = Pick<KdfParams, 'memoryKiB' | 'iterations' | 'parallelism'>;

/** True when `kdf` costs at least `floor` in memory and passes. */
export function meetsKdfFloor(kdf: KdfCost, floor: KdfCost = DEFAULT_KDF): boolean {
	return kdf.memoryKiB >= floor.memoryKiB && kdf.iterations >= floor.iterations;
}
