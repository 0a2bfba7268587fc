/**
 * The backup file (`papiers-<date>.papiers`): the vault header and every sealed row exactly as
 * IndexedDB holds them, in one stream, with a MAC at the end. Nothing in it is readable without
 * the password: the header wraps the vault key under it, the rows are the vault's own
 * ciphertext, and the MAC key is derived from the vault key.
 *
 * Layout, format version 1 (all integers big-endian):
 *
 *   magic          15 bytes  "PAPIERS-BACKUP\n"
 *   version         u16      1
 *   header length   u32      n (at most MAX_HEADER_BYTES)
 *   header          n bytes  the header as JSON, UTF-8 (TransferredHeader, import-header.ts)
 *   rows, each:
 *     kind          u8       1 = record, 2 = scan
 *     id length     u16      then the id, UTF-8 (at most MAX_ID_BYTES)
 *     v             u32      schema version of the sealed payload
 *     at            f64      the row's day (Unix ms), as stored
 *     ct length     u32      then ct: nonce ‖ ciphertext ‖ tag, as stored (at most MAX_CT_BYTES)
 *   end:
 *     kind          u8       0
 *     records       u32      how many record rows came before
 *     scans         u32      how many scan rows came before
 *     mac           32 bytes HMAC-SHA256 under HKDF(vault key, "papiers/v1/backup-file") of
 *                            every byte before it, from the magic to the counts
 *   nothing after the MAC.
 *
 * What the MAC catches: a file cut anywhere (the end and its MAC are missing, or the MAC is
 * over other bytes), a changed byte, a row removed, added, duplicated or moved, a row or a
 * header from another vault (another vault key, another MAC key). Reading checks everything
 * before the caller writes anything: verifyBackup() reads the whole stream first.
 *
 * The reader refuses a version it does not know (BackupTooNewError) before asking for anything,
 * and a header cheaper than the shipped KDF (WeakHeaderError, from headerFromTransfer).
 *
 * No DOM, no Dexie: the app's side is backup.ts.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, utf8Decode, utf8Encode } from '$lib/crypto/bytes';
import type { KdfCost } from '$lib/crypto/kdf-params';
import type { VaultHeaderRow } from './db';
import { headerFromTransfer, headerToTransfer, InvalidHeaderError } from './import-header';
import type { SealedRow } from './types';

export const BACKUP_MAGIC = utf8Encode('PAPIERS-BACKUP\n');
export const BACKUP_FORMAT_VERSION = 1;
export const BACKUP_EXTENSION = '.papiers';
export const BACKUP_MIME_TYPE = 'application/octet-stream';

const MAX_HEADER_BYTES = 16 * 1024;
const MAX_ID_BYTES = 256;
/** Far above any scan the capture pipeline makes; refuses an absurd length before allocating. */
const MAX_CT_BYTES = 64 * 1024 * 1024;
const MAC_BYTES = 32;
const KIND_END = 0;
const KIND = { records: 1, scans: 2 } as const;
const ROW_FIXED_BYTES = 1 + 2 + 4 + 8 + 4;

export type BackupTable = 'records' | 'scans';

export interface BackupRow {
	table: BackupTable;
	row: SealedRow;
}

/** The file is damaged, cut short, altered, or not a backup: nothing was written. */
export class BackupDamagedError extends Error {
	constructor(readonly reason: string) {
		super(`The backup file is damaged or was altered: ${reason}`);
		this.name = 'BackupDamagedError';
	}
}

/** A file made by a newer Papiers (a format version this one does not know). */
export class BackupTooNewError extends Error {
	constructor(readonly version: number) {
		super(`The backup was made by a newer version of Papiers (format ${version})`);
		this.name = 'BackupTooNewError';
	}
}

type Mac = ReturnType<typeof hmac.create>;

/**
 * Writes a backup as a sequence of byte pieces, synchronously, so a caller can produce them
 * inside a read transaction and hand each piece on (to a Blob) before reading the next rows.
 */
export class BackupWriter {
	#mac: Mac;
	#counts = { records: 0, scans: 0 };
	#ids = { records: new Set<string>(), scans: new Set<string>() };
	#finished = false;

	constructor(macKey: Uint8Array) {
		this.#mac = hmac.create(sha256, macKey);
	}

	/** Magic, version and header: the first piece. */
	start(header: VaultHeaderRow): Uint8Array {
		const json = utf8Encode(JSON.stringify(headerToTransfer(header)));
		if (json.length > MAX_HEADER_BYTES) throw new RangeError('Vault header too large');
		const out = new Uint8Array(BACKUP_MAGIC.length + 2 + 4 + json.length);
		out.set(BACKUP_MAGIC);
		const view = new DataView(out.buffer);
		view.setUint16(BACKUP_MAGIC.length, BACKUP_FORMAT_VERSION);
		view.setUint32(BACKUP_MAGIC.length + 2, json.length);
		out.set(json, BACKUP_MAGIC.length + 6);
		return this.#authenticated(out);
	}

	/** One row: a small piece with its fields, then ct itself (not copied). */
	row({ table, row }: BackupRow): Uint8Array[] {
		if (this.#finished) throw new Error('The backup is finished');
		if (this.#ids[table].has(row.id)) throw new Error(`Row ${row.id} written twice`);
		const id = utf8Encode(row.id);
		if (id.length === 0 || id.length > MAX_ID_BYTES) throw new RangeError('Row id length');
		if (row.ct.length > MAX_CT_BYTES) throw new RangeError('Row too large');
		if (!Number.isInteger(row.v) || row.v < 0 || row.v > 0xffffffff) {
			throw new RangeError('Schema version out of range');
		}
		const fields = new Uint8Array(ROW_FIXED_BYTES + id.length);
		const view = new DataView(fields.buffer);
		view.setUint8(0, KIND[table]);
		view.setUint16(1, id.length);
		fields.set(id, 3);
		let at = 3 + id.length;
		view.setUint32(at, row.v);
		view.setFloat64(at + 4, row.at);
		view.setUint32(at + 12, row.ct.length);
		this.#ids[table].add(row.id);
		this.#counts[table]++;
		return [this.#authenticated(fields), this.#authenticated(row.ct)];
	}

	/** The end marker, the counts and the MAC: the last piece. */
	finish(): Uint8Array {
		if (this.#finished) throw new Error('The backup is finished');
		this.#finished = true;
		const end = new Uint8Array(1 + 4 + 4 + MAC_BYTES);
		const view = new DataView(end.buffer);
		view.setUint8(0, KIND_END);
		view.setUint32(1, this.#counts.records);
		view.setUint32(5, this.#counts.scans);
		this.#mac.update(end.subarray(0, 9));
		this.#mac.digestInto(end.subarray(9));
		this.#mac.destroy();
		return end;
	}

	get counts(): { records: number; scans: number } {
		return { ...this.#counts };
	}

	#authenticated(bytes: Uint8Array): Uint8Array {
		this.#mac.update(bytes);
		return bytes;
	}
}

/** Reads exact byte counts from a stream of chunks, whatever their boundaries. */
class ByteSource {
	#reader: ReadableStreamDefaultReader<Uint8Array>;
	#chunk: Uint8Array = new Uint8Array(0);
	#offset = 0;
	#done = false;
	/** Every byte handed out goes through here (the MAC), unless `quiet`. */
	onBytes: ((bytes: Uint8Array) => void) | undefined;

	constructor(stream: ReadableStream<Uint8Array>) {
		this.#reader = stream.getReader();
	}

	async #fill(): Promise<boolean> {
		while (this.#offset >= this.#chunk.length) {
			if (this.#done) return false;
			const { value, done } = await this.#reader.read();
			if (done) {
				this.#done = true;
				return false;
			}
			this.#chunk = value;
			this.#offset = 0;
		}
		return true;
	}

	/** Exactly `length` bytes, or BackupDamagedError when the stream ends first. */
	async read(length: number, options: { quiet?: boolean } = {}): Promise<Uint8Array> {
		const out = new Uint8Array(length);
		let filled = 0;
		while (filled < length) {
			if (!(await this.#fill())) throw new BackupDamagedError('the file is cut short');
			const take = Math.min(length - filled, this.#chunk.length - this.#offset);
			out.set(this.#chunk.subarray(this.#offset, this.#offset + take), filled);
			this.#offset += take;
			filled += take;
		}
		if (!options.quiet) this.onBytes?.(out);
		return out;
	}

	/** Passes `length` bytes through onBytes without assembling them (checking, not keeping). */
	async skip(length: number): Promise<void> {
		let left = length;
		while (left > 0) {
			if (!(await this.#fill())) throw new BackupDamagedError('the file is cut short');
			const take = Math.min(left, this.#chunk.length - this.#offset);
			this.onBytes?.(this.#chunk.subarray(this.#offset, this.#offset + take));
			this.#offset += take;
			left -= take;
		}
	}

	async atEnd(): Promise<boolean> {
		return !(await this.#fill());
	}

	cancel(): void {
		void this.#reader.cancel().catch(() => {});
	}
}

function view(bytes: Uint8Array): DataView {
	return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Reads a backup from a stream: readHeader() first (no key needed: the person is asked for the
 * password after it), then authenticate() with the MAC key the password gives, then rows() to
 * the end. rows() throws BackupDamagedError on the first inconsistency, and only returns once
 * the counts and the MAC are checked: a caller that acts on rows before the end must be ready
 * to undo (or read twice, as backup.ts does: verify, then write).
 */
export class BackupReader {
	#source: ByteSource;
	#preamble: Uint8Array[] = [];
	#mac: Mac | undefined;
	#header: VaultHeaderRow | undefined;

	constructor(stream: ReadableStream<Uint8Array>) {
		this.#source = new ByteSource(stream);
		this.#source.onBytes = (bytes) => {
			if (this.#mac) this.#mac.update(bytes);
			else this.#preamble.push(bytes);
		};
	}

	/**
	 * Magic, version and header. BackupTooNewError for a newer format, WeakHeaderError for a
	 * KDF below `floor` (the shipped one unless a test lowers it), BackupDamagedError otherwise.
	 */
	async readHeader(options: { floor?: KdfCost } = {}): Promise<VaultHeaderRow> {
		const magic = await this.#source.read(BACKUP_MAGIC.length).catch(() => {
			throw new BackupDamagedError('not a Papiers backup');
		});
		if (!equalBytes(magic, BACKUP_MAGIC)) throw new BackupDamagedError('not a Papiers backup');
		const version = view(await this.#source.read(2)).getUint16(0);
		if (version > BACKUP_FORMAT_VERSION) throw new BackupTooNewError(version);
		if (version !== BACKUP_FORMAT_VERSION) throw new BackupDamagedError('unknown version');
		const length = view(await this.#source.read(4)).getUint32(0);
		if (length === 0 || length > MAX_HEADER_BYTES) throw new BackupDamagedError('header length');
		const json = await this.#source.read(length);
		let parsed: unknown;
		try {
			parsed = JSON.parse(utf8Decode(json));
		} catch {
			throw new BackupDamagedError('the header is not readable');
		}
		try {
			this.#header = headerFromTransfer(parsed, { floor: options.floor });
		} catch (error) {
			if (error instanceof InvalidHeaderError && error.name === 'InvalidHeaderError') {
				throw new BackupDamagedError(error.reason);
			}
			throw error; // WeakHeaderError: said as such to the person
		}
		return this.#header;
	}

	/** Starts the MAC (the bytes read so far included) with the key the vault key gives. */
	authenticate(macKey: Uint8Array): void {
		if (!this.#header) throw new Error('Read the header first');
		this.#mac = hmac.create(sha256, macKey);
		for (const bytes of this.#preamble.splice(0)) this.#mac.update(bytes);
	}

	/**
	 * Every row, in file order; ends only after the end marker, the counts, the MAC and the end
	 * of the stream are checked. `withoutCiphertext`: rows come with an empty ct, the bytes
	 * checked as they stream by and never assembled (a check pass holds no row in memory).
	 */
	async *rows(options: { withoutCiphertext?: boolean } = {}): AsyncGenerator<BackupRow> {
		const mac = this.#mac;
		if (!mac) throw new Error('Call authenticate() first');
		const seen = { records: new Set<string>(), scans: new Set<string>() };
		try {
			for (;;) {
				const kind = (await this.#source.read(1))[0];
				if (kind === KIND_END) break;
				const table = kind === KIND.records ? 'records' : kind === KIND.scans ? 'scans' : null;
				if (!table) throw new BackupDamagedError('unknown row kind');
				const idLength = view(await this.#source.read(2)).getUint16(0);
				if (idLength === 0 || idLength > MAX_ID_BYTES) throw new BackupDamagedError('id length');
				let id: string;
				try {
					id = new TextDecoder('utf-8', { fatal: true }).decode(await this.#source.read(idLength));
				} catch (error) {
					if (error instanceof BackupDamagedError) throw error;
					throw new BackupDamagedError('row id');
				}
				if (seen[table].has(id)) throw new BackupDamagedError('a row appears twice');
				seen[table].add(id);
				const fixed = view(await this.#source.read(16));
				const v = fixed.getUint32(0);
				const at = fixed.getFloat64(4);
				const ctLength = fixed.getUint32(12);
				if (!Number.isFinite(at)) throw new BackupDamagedError('row time');
				if (ctLength > MAX_CT_BYTES) throw new BackupDamagedError('row length');
				let ct: Uint8Array;
				if (options.withoutCiphertext) {
					await this.#source.skip(ctLength);
					ct = new Uint8Array(0);
				} else {
					ct = await this.#source.read(ctLength);
				}
				yield { table, row: { id, v, at, ct } };
			}
			const counts = view(await this.#source.read(8));
			const expected = await this.#source.read(MAC_BYTES, { quiet: true });
			const actual = mac.digest();
			if (!equalBytes(actual, expected)) {
				throw new BackupDamagedError('the integrity check failed');
			}
			if (counts.getUint32(0) !== seen.records.size || counts.getUint32(4) !== seen.scans.size) {
				throw new BackupDamagedError('row counts');
			}
			if (!(await this.#source.atEnd())) throw new BackupDamagedError('bytes after the end');
		} catch (error) {
			this.#source.cancel();
			throw error;
		}
	}

	cancel(): void {
		this.#source.cancel();
	}
}

/** `papiers-2026-12-02.papiers`, in UTC like the rows' days. */
export function backupFileName(now: number): string {
	return `papiers-${new Date(now).toISOString().slice(0, 10)}${BACKUP_EXTENSION}`;
}
