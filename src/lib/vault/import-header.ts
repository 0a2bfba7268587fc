/**
 * The vault header as it travels between devices (pairing, password changes, key rotation), and
 * the one step that gives a new device its vault: writing a received header into an empty
 * database. After that the device holds a locked vault, and `session.unlock(password)` opens it
 * exactly as on the device it came from: the header is the wrapped vault key and the KDF
 * parameters, nothing here can open it without the password.
 *
 * A received header is checked field by field before it is stored: it comes from another device
 * over the network, and absurd KDF parameters (gigabytes of memory, thousands of passes) would
 * hang the device that tries them.
 */
import { fromBase64, toBase64 } from '$lib/crypto/bytes';
import { DEFAULT_KDF, meetsKdfFloor, type KdfCost } from '$lib/crypto/kdf-params';
import type { PapiersDb, VaultHeaderRow } from './db';

/** JSON-safe form of VaultHeaderRow: bytes as base64. */
export interface TransferredHeader {
	format: 1 | 2;
	kdf: {
		algorithm: 'argon2id';
		memoryKiB: number;
		iterations: number;
		parallelism: number;
		salt: string;
	};
	wrappedKey: string;
	hint: string;
	createdAt: number;
	keyGeneration: number;
	/** X25519 public key of the vault's inbox (inbox.ts), when the vault has one. */
	inboxPublicKey?: string;
	/** Format 2: the vault authority's Ed25519 public key. */
	authorityPublicKey?: string;
}

export class InvalidHeaderError extends Error {
	constructor(readonly reason: string) {
		super(`The received vault header is not valid: ${reason}`);
		this.name = 'InvalidHeaderError';
	}
}

/** A header whose key derivation costs less than this app ships: refused, nothing replaced. */
export class WeakHeaderError extends InvalidHeaderError {
	constructor() {
		super('its key derivation is weaker than this app allows');
		this.name = 'WeakHeaderError';
	}
}

export class VaultExistsError extends Error {
	constructor() {
		super('This device already holds a vault');
		this.name = 'VaultExistsError';
	}
}

/** nonce (24) + 32-byte key (+ 32-byte authority seed in format 2) + tag (16), as vault.ts wraps it. */
const WRAPPED_KEY_BYTES = { 1: 72, 2: 104 } as const;
const MAX_MEMORY_KIB = 4 * 1024 * 1024;
const MAX_ITERATIONS = 64;
const MAX_PARALLELISM = 16;
const MAX_HINT_LENGTH = 500;

export function headerToTransfer(header: VaultHeaderRow): TransferredHeader {
	return {
		format: header.format,
		kdf: { ...header.kdf, salt: toBase64(header.kdf.salt) },
		wrappedKey: toBase64(header.wrappedKey),
		hint: header.hint,
		createdAt: header.createdAt,
		keyGeneration: header.keyGeneration,
		...(header.inboxPublicKey ? { inboxPublicKey: toBase64(header.inboxPublicKey) } : {}),
		...(header.authorityPublicKey
			? { authorityPublicKey: toBase64(header.authorityPublicKey) }
			: {})
	};
}

function integer(value: unknown, min: number, max: number, name: string): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
		throw new InvalidHeaderError(`${name} out of range`);
	}
	return value;
}

function bytes(value: unknown, name: string): Uint8Array {
	if (typeof value !== 'string') throw new InvalidHeaderError(`${name} missing`);
	try {
		return fromBase64(value);
	} catch {
		throw new InvalidHeaderError(`${name} is not base64`);
	}
}

function key32(value: unknown, name: string): Uint8Array | undefined {
	if (value === undefined) return undefined;
	const key = bytes(value, name);
	if (key.length !== 32) throw new InvalidHeaderError(`${name} length`);
	return key;
}

/**
 * Throws InvalidHeaderError unless `value` is a header this app can use, and WeakHeaderError
 * when its key derivation costs less than `floor` (the shipped parameters unless a test lowers
 * them): a device must not be talked into a password that is cheaper to guess.
 */
export function headerFromTransfer(
	value: unknown,
	options: { floor?: KdfCost } = {}
): VaultHeaderRow {
	const header = value as Partial<Record<keyof TransferredHeader, unknown>> | null;
	if (!header || typeof header !== 'object') throw new InvalidHeaderError('not an object');
	const format = header.format;
	if (format !== 1 && format !== 2) throw new InvalidHeaderError('unknown format');
	const kdf = header.kdf as Partial<Record<keyof TransferredHeader['kdf'], unknown>> | null;
	if (!kdf || typeof kdf !== 'object' || kdf.algorithm !== 'argon2id') {
		throw new InvalidHeaderError('unknown key derivation');
	}
	const parallelism = integer(kdf.parallelism, 1, MAX_PARALLELISM, 'parallelism');
	const memoryKiB = integer(kdf.memoryKiB, 8 * parallelism, MAX_MEMORY_KIB, 'memory');
	const iterations = integer(kdf.iterations, 1, MAX_ITERATIONS, 'iterations');
	if (!meetsKdfFloor({ memoryKiB, iterations, parallelism }, options.floor ?? DEFAULT_KDF)) {
		throw new WeakHeaderError();
	}
	const salt = bytes(kdf.salt, 'salt');
	if (salt.length < 16 || salt.length > 64) throw new InvalidHeaderError('salt length');
	const wrappedKey = bytes(header.wrappedKey, 'wrapped key');
	if (wrappedKey.length !== WRAPPED_KEY_BYTES[format]) {
		throw new InvalidHeaderError('wrapped key length');
	}
	if (typeof header.hint !== 'string' || header.hint.length > MAX_HINT_LENGTH) {
		throw new InvalidHeaderError('hint');
	}
	const inboxPublicKey = key32(header.inboxPublicKey, 'inbox key');
	const authorityPublicKey = key32(header.authorityPublicKey, 'authority key');
	if ((format === 2) !== !!authorityPublicKey) throw new InvalidHeaderError('authority key');
	return {
		id: 'main',
		format,
		kdf: { algorithm: 'argon2id', memoryKiB, iterations, parallelism, salt },
		wrappedKey,
		hint: header.hint,
		createdAt: integer(header.createdAt, 0, 8.64e15, 'creation time'),
		keyGeneration: integer(header.keyGeneration, 1, 2 ** 31, 'key generation'),
		...(inboxPublicKey ? { inboxPublicKey } : {}),
		...(authorityPublicKey ? { authorityPublicKey } : {})
	};
}

/**
 * Stores a header received by pairing in this device's empty vault database, in one
 * transaction: a device that already holds a header, records or scans is refused
 * (VaultExistsError) and left untouched.
 */
export async function importReceivedHeader(options: {
	db: PapiersDb;
	header: VaultHeaderRow;
}): Promise<void> {
	const { db, header } = options;
	await db.transaction('rw', db.header, db.records, db.scans, async () => {
		const [headers, records, scans] = await Promise.all([
			db.header.count(),
			db.records.count(),
			db.scans.count()
		]);
		if (headers + records + scans > 0) throw new VaultExistsError();
		await db.header.add({ ...header, id: 'main' });
	});
}
