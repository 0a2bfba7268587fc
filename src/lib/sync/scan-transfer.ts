/**
 * Scans travel apart from the sync document: content-addressed, in chunks, from the sender's
 * Dexie to the receiver's, over the same data channels as the document (fragmenting-peers.ts
 * hands us every message whose first byte is TRANSFER_MESSAGE). What moves is the sealed scan
 * exactly as stored, so a peer or anyone on the path learns nothing new.
 *
 * Messages (big-endian):
 *   [0]       TRANSFER_MESSAGE
 *   [1]       kind: WANT, CHUNK or NONE
 *   [2..33]   address: SHA-256 of the sealed scan (scan-ref.ts)
 *   WANT      [34..37] offset: "send me this scan from this byte on"
 *   CHUNK     [34..37] offset, [38..] at most CHUNK_BYTES of the scan (one 64 KiB frame)
 *   NONE      "I will not send it" (not held, not a live version, or no longer)
 *
 * Receiving (what the mirror wants, DocMirror.wantedScans): one peer at a time per scan, a few
 * scans in flight per peer so the channel never idles. Chunks must come from the peer asked,
 * in order, within the scan's size, each at most CHUNK_BYTES; anything else is refused and the
 * scan asked of someone else. Received bytes stay in memory up to PIECE_BYTES, then go to the
 * sync database as a piece; when the link drops the rest goes too, so the next request starts
 * where this one stopped. A complete scan counts only if its bytes hash to the reference
 * (DocMirror.scanArrived); otherwise its pieces are dropped and it is fetched again.
 *
 * Sending: only what DocMirror.scanToServe names (a live version this store holds), read from
 * Dexie one scan at a time and sent chunk by chunk as the channel takes them.
 */
import { fromHex, toHex } from '$lib/crypto/bytes';
import type { PapiersDb } from '$lib/vault/db';
import type { SealedRow } from '$lib/vault/types';
import type { DocMirror } from './doc-mirror';
import { FRAME_HEADER_BYTES, DEFAULT_MAX_FRAME_BYTES } from './fragment';
import { HASH_BYTES, type ScanRef } from './scan-ref';
import { versionFingerprint } from './version-value';
import type { PieceRow } from './sync-store';

/** First byte of a transfer message; y-webrtc's own message types are 0 to 4. */
export const TRANSFER_MESSAGE = 0x64;
export const KIND = { want: 1, chunk: 2, none: 3 } as const;
const ADDRESS_AT = 2;
const OFFSET_AT = ADDRESS_AT + HASH_BYTES;
const HEADER_BYTES = OFFSET_AT + 4;
/** A chunk and its header fill one data-channel frame exactly. */
export const CHUNK_BYTES = DEFAULT_MAX_FRAME_BYTES - FRAME_HEADER_BYTES - HEADER_BYTES;
/** Received bytes kept in memory per scan before they go to the sync database. */
const PIECE_BYTES = 4 * 1024 * 1024;
/** Scans asked of one peer at once: the next is read from its Dexie while this one is sent. */
const IN_FLIGHT_PER_PEER = 2;
/**
 * Scans received whole and being checked and written: the next ones are asked for meanwhile,
 * so the channel does not idle while the disk works, but no more than this wait in memory.
 * With 2, a slow IndexedDB write left the channel idle (bench 05: pauses up to 426 ms between
 * chunks, 76–90 % of raw while streaming); with 4, pauses of 54–86 ms and 100–120 %, and the
 * 100 MB vault's receiving heap still within 32 MiB of the 20 MB one's.
 */
const MAX_COMPLETING = 4;
/** Requests one peer may have waiting here; more are answered NONE. */
const MAX_QUEUED_REQUESTS = 32;
/** Failed attempts (refused chunks, wrong hash) per scan and peer before that peer is skipped. */
const MAX_ATTEMPTS_PER_PEER = 3;
/** Scans no connected peer would send are asked again this often. */
const RETRY_MS = 5_000;
/** A request that brought nothing for this long is asked of someone else. */
const STALL_MS = 20_000;

/** One connected peer, as fragmenting-peers.ts gives it. */
export interface ScanLink {
	readonly peerId: string;
	/** Queues a whole message; resolves true once the channel took it, false if it closed. */
	send(message: Uint8Array): Promise<boolean>;
}

/** What a test (or a diagnostic) may observe. */
export interface TransferEvents {
	refused?(reason: RefusalReason, peerId: string): void;
	/** A complete scan whose bytes did not hash to its reference. */
	corrupt?(address: string, peerId: string): void;
	/** A scan written to the store. */
	received?(address: string, peerId: string): void;
	/** Bytes of a chunk accepted. */
	chunk?(address: string, bytes: number, peerId: string): void;
	/** A request answered with NONE. */
	declined?(address: string, peerId: string): void;
}

export type RefusalReason =
	'malformed' | 'unrequested' | 'oversized' | 'out-of-order' | 'beyond-size';

/** The part of SyncStore the transfer keeps pieces in. */
export interface PieceStore {
	readPieces(address: string): Promise<PieceRow[]>;
	receivedBytes(address: string): Promise<number>;
	addPiece(piece: PieceRow): Promise<void>;
	deletePieces(address: string): Promise<void>;
	pieceAddresses(): Promise<string[]>;
}

interface Fetch {
	ref: ScanRef;
	peerId: string;
	/** Next offset expected; undefined until the request is sent. */
	next: number | undefined;
	/** Bytes from `bufferStart` held in memory. */
	bufferStart: number;
	buffer: Uint8Array[];
	bufferedBytes: number;
	/** Piece writes and the final check, in order. */
	work: Promise<void>;
	ended: boolean;
	/** When the request went out or the last chunk came. */
	lastActivity: number;
}

interface ToServe {
	address: string;
	offset: number;
	/** Absent when this device will not send that scan. */
	row?: SealedRow;
}

interface Serving {
	queue: { address: string; offset: number }[];
	running: boolean;
}

export function encodeTransfer(
	kind: number,
	address: string,
	offset = 0,
	bytes?: Uint8Array
): Uint8Array {
	const withOffset = kind !== KIND.none;
	const message = new Uint8Array(
		(withOffset ? HEADER_BYTES : OFFSET_AT) + (bytes ? bytes.length : 0)
	);
	message[0] = TRANSFER_MESSAGE;
	message[1] = kind;
	message.set(fromHex(address), ADDRESS_AT);
	if (withOffset) new DataView(message.buffer).setUint32(OFFSET_AT, offset);
	if (bytes) message.set(bytes, HEADER_BYTES);
	return message;
}

interface Decoded {
	kind: number;
	address: string;
	offset: number;
	bytes: Uint8Array;
}

export function decodeTransfer(message: Uint8Array): Decoded | undefined {
	if (message.length < OFFSET_AT || message[0] !== TRANSFER_MESSAGE) return undefined;
	const kind = message[1];
	const address = toHex(message.subarray(ADDRESS_AT, OFFSET_AT));
	if (kind === KIND.none) {
		return message.length === OFFSET_AT
			? { kind, address, offset: 0, bytes: new Uint8Array(0) }
			: undefined;
	}
	if (kind !== KIND.want && kind !== KIND.chunk) return undefined;
	if (message.length < HEADER_BYTES) return undefined;
	if (kind === KIND.want && message.length !== HEADER_BYTES) return undefined;
	const offset = new DataView(message.buffer, message.byteOffset + OFFSET_AT, 4).getUint32(0);
	return { kind, address, offset, bytes: message.subarray(HEADER_BYTES) };
}

export class ScanTransfer {
	#mirror: DocMirror;
	#vaultDb: PapiersDb;
	#pieces: PieceStore;
	#events: TransferEvents;
	#links = new Map<string, ScanLink>();
	#fetches = new Map<string, Fetch>();
	/** Addresses received whole, being checked and written (see MAX_COMPLETING). */
	#completing = new Set<string>();
	/** Per address, the failed attempts of each peer (refused chunks, wrong hash, NONE). */
	#failures = new Map<string, Map<string, number>>();
	#serving = new Map<string, Serving>();
	/** Per address, the last piece write or check queued, so a new request starts after it. */
	#lastWork = new Map<string, Promise<void>>();
	#retryTimer: ReturnType<typeof setInterval>;
	#stallMs: number;
	#unsubscribe: () => void;
	#stopped = false;
	#pumping = false;
	#pumpAgain = false;

	constructor(options: {
		mirror: DocMirror;
		vaultDb: PapiersDb;
		pieces: PieceStore;
		events?: TransferEvents;
		/** Tests: shorter waits. */
		timing?: { retryMs?: number; stallMs?: number };
	}) {
		this.#mirror = options.mirror;
		this.#vaultDb = options.vaultDb;
		this.#pieces = options.pieces;
		this.#events = options.events ?? {};
		this.#unsubscribe = this.#mirror.onWantedChange(() => void this.#pump());
		this.#stallMs = options.timing?.stallMs ?? STALL_MS;
		this.#retryTimer = setInterval(() => this.#retry(), options.timing?.retryMs ?? RETRY_MS);
		void this.#dropStalePieces();
	}

	/** Scans being received now. */
	get inFlight(): number {
		return this.#fetches.size + this.#completing.size;
	}

	addLink(link: ScanLink): void {
		if (this.#stopped) return;
		this.#links.set(link.peerId, link);
		void this.#pump();
	}

	/**
	 * The link closed: what arrived from it is kept for the next request. `send` names the
	 * connection that closed: a peer that reconnected may have a new link already, left alone.
	 */
	removeLink(peerId: string, send?: ScanLink['send']): void {
		const link = this.#links.get(peerId);
		if (!link || (send && link.send !== send)) return;
		this.#links.delete(peerId);
		this.#serving.delete(peerId);
		for (const fetch of [...this.#fetches.values()]) {
			if (fetch.peerId === peerId) this.#abandon(fetch);
		}
		void this.#pump();
	}

	/** A whole message whose first byte is TRANSFER_MESSAGE, from a connected peer. */
	receive(peerId: string, message: Uint8Array): void {
		if (this.#stopped) return;
		const decoded = decodeTransfer(message);
		if (!decoded) {
			this.#events.refused?.('malformed', peerId);
			return;
		}
		if (decoded.kind === KIND.want) this.#request(peerId, decoded.address, decoded.offset);
		else if (decoded.kind === KIND.chunk) this.#chunk(peerId, decoded);
		else this.#declined(peerId, decoded.address);
	}

	/** Writes what is in memory as pieces, stops asking and serving. */
	async stop(): Promise<void> {
		if (this.#stopped) return;
		this.#stopped = true;
		clearInterval(this.#retryTimer);
		this.#unsubscribe();
		const fetches = [...this.#fetches.values()];
		for (const fetch of fetches) this.#abandon(fetch);
		await Promise.all(fetches.map((fetch) => fetch.work.catch(() => {})));
		this.#links.clear();
		this.#serving.clear();
	}

	// Receiving.

	/** Asks again what no peer would send, and of someone else what a peer stopped sending. */
	#retry(): void {
		const now = Date.now();
		for (const fetch of [...this.#fetches.values()]) {
			if (fetch.ended || now - fetch.lastActivity < this.#stallMs) continue;
			this.#markFailed(fetch.ref.address, fetch.peerId, 1);
			this.#abandon(fetch);
		}
		// A scan every connected peer failed or declined is asked again from the start; the
		// failures of others still rank the peers (an honest one before one that sent garbage).
		for (const [address, failures] of [...this.#failures]) {
			const exhausted = [...this.#links.keys()].every(
				(peerId) => (failures.get(peerId) ?? 0) >= MAX_ATTEMPTS_PER_PEER
			);
			if (exhausted) this.#failures.delete(address);
		}
		void this.#pump();
	}

	async #pump(): Promise<void> {
		if (this.#pumping) {
			this.#pumpAgain = true;
			return;
		}
		this.#pumping = true;
		try {
			do {
				this.#pumpAgain = false;
				this.#startFetches();
			} while (this.#pumpAgain && !this.#stopped);
		} finally {
			this.#pumping = false;
		}
	}

	#startFetches(): void {
		if (this.#stopped || this.#links.size === 0) return;
		for (const ref of this.#mirror.wantedScans()) {
			if (this.#completing.size >= MAX_COMPLETING) return;
			if (this.#fetches.has(ref.address) || this.#completing.has(ref.address)) continue;
			const link = this.#pickLink(ref.address);
			if (!link) continue;
			const fetch: Fetch = {
				ref,
				peerId: link.peerId,
				next: undefined,
				bufferStart: 0,
				buffer: [],
				bufferedBytes: 0,
				work: Promise.resolve(),
				ended: false,
				lastActivity: Date.now()
			};
			this.#fetches.set(ref.address, fetch);
			fetch.work = this.#lastWork.get(ref.address) ?? Promise.resolve();
			this.#then(fetch, () => this.#ask(fetch, link));
		}
	}

	/** The connected peer that failed this scan least, then with the fewest scans in flight. */
	#pickLink(address: string): ScanLink | undefined {
		const failures = this.#failures.get(address);
		let best: ScanLink | undefined;
		let bestScore = Infinity;
		for (const link of this.#links.values()) {
			const failed = failures?.get(link.peerId) ?? 0;
			if (failed >= MAX_ATTEMPTS_PER_PEER) continue;
			let load = 0;
			for (const fetch of this.#fetches.values()) if (fetch.peerId === link.peerId) load++;
			if (load >= IN_FLIGHT_PER_PEER) continue;
			const score = failed * IN_FLIGHT_PER_PEER + load;
			if (score < bestScore) {
				best = link;
				bestScore = score;
			}
		}
		return best;
	}

	async #ask(fetch: Fetch, link: ScanLink): Promise<void> {
		const { address, size } = fetch.ref;
		let offset = await this.#pieces.receivedBytes(address);
		if (fetch.ended) return;
		if (offset > size) {
			await this.#pieces.deletePieces(address);
			offset = 0;
		}
		fetch.next = offset;
		fetch.bufferStart = offset;
		fetch.lastActivity = Date.now();
		if (offset === size) {
			this.#startCompleting(fetch);
			await this.#complete(fetch);
			return;
		}
		if (!(await link.send(encodeTransfer(KIND.want, address, offset)))) this.#abandon(fetch);
	}

	#chunk(peerId: string, chunk: Decoded): void {
		const fetch = this.#fetches.get(chunk.address);
		if (!fetch || fetch.peerId !== peerId || fetch.next === undefined || fetch.ended) {
			this.#events.refused?.('unrequested', peerId);
			return;
		}
		const length = chunk.bytes.length;
		let refusal: RefusalReason | undefined;
		if (length === 0 || length > CHUNK_BYTES) refusal = 'oversized';
		else if (chunk.offset + length > fetch.ref.size) refusal = 'beyond-size';
		else if (chunk.offset !== fetch.next) refusal = 'out-of-order';
		if (refusal) {
			this.#events.refused?.(refusal, peerId);
			this.#fail(fetch);
			return;
		}
		fetch.buffer.push(chunk.bytes);
		fetch.lastActivity = Date.now();
		fetch.bufferedBytes += length;
		fetch.next += length;
		this.#events.chunk?.(chunk.address, length, peerId);
		if (fetch.next === fetch.ref.size) {
			this.#startCompleting(fetch);
			this.#then(fetch, () => this.#complete(fetch));
			void this.#pump();
		} else if (fetch.bufferedBytes >= PIECE_BYTES) {
			const piece = this.#takeBuffer(fetch);
			this.#then(fetch, () => this.#pieces.addPiece(piece));
		}
	}

	#declined(peerId: string, address: string): void {
		const fetch = this.#fetches.get(address);
		if (!fetch || fetch.peerId !== peerId) return;
		this.#events.declined?.(address, peerId);
		this.#markFailed(address, peerId, MAX_ATTEMPTS_PER_PEER);
		this.#abandon(fetch);
		void this.#pump();
	}

	/** The bytes in memory as one piece; the buffer starts again after them. */
	#takeBuffer(fetch: Fetch): PieceRow {
		const bytes = new Uint8Array(fetch.bufferedBytes);
		let at = 0;
		for (const part of fetch.buffer) {
			bytes.set(part, at);
			at += part.length;
		}
		const piece = { address: fetch.ref.address, offset: fetch.bufferStart, bytes };
		fetch.bufferStart += fetch.bufferedBytes;
		fetch.buffer = [];
		fetch.bufferedBytes = 0;
		return piece;
	}

	/** Keeps what arrived (as a piece) and lets another request continue from there. */
	#abandon(fetch: Fetch): void {
		if (this.#fetches.get(fetch.ref.address) === fetch) this.#fetches.delete(fetch.ref.address);
		if (fetch.ended) return;
		fetch.ended = true;
		if (fetch.bufferedBytes > 0) {
			const piece = this.#takeBuffer(fetch);
			this.#then(fetch, () => this.#pieces.addPiece(piece));
		}
	}

	/** Chains a step on the fetch's work; a failed step is logged and ends the chain's errors. */
	#then(fetch: Fetch, step: () => Promise<void>): void {
		const address = fetch.ref.address;
		const work = fetch.work.then(step).catch((error) => {
			console.warn('Sync: a scan transfer step failed', error);
			if (this.#fetches.get(address) === fetch) this.#fetches.delete(address);
			fetch.ended = true;
		});
		fetch.work = work;
		this.#lastWork.set(address, work);
		void work.then(() => {
			if (this.#lastWork.get(address) === work) this.#lastWork.delete(address);
		});
	}

	/** A peer broke the rules for this scan: what it sent is dropped, someone else is asked. */
	#fail(fetch: Fetch): void {
		if (this.#fetches.get(fetch.ref.address) === fetch) this.#fetches.delete(fetch.ref.address);
		fetch.ended = true;
		fetch.buffer = [];
		fetch.bufferedBytes = 0;
		this.#markFailed(fetch.ref.address, fetch.peerId, 1);
		this.#then(fetch, async () => {
			await this.#pieces.deletePieces(fetch.ref.address);
			void this.#pump();
		});
	}

	/** Below MAX_ATTEMPTS_PER_PEER the peer may be asked again (a chunk damaged on the way). */
	#markFailed(address: string, peerId: string, attempts: number): void {
		let failures = this.#failures.get(address);
		if (!failures) this.#failures.set(address, (failures = new Map()));
		failures.set(peerId, (failures.get(peerId) ?? 0) + attempts);
	}

	/** Every byte is here: the peer may be asked for the next scan while this one is written. */
	#startCompleting(fetch: Fetch): void {
		fetch.ended = true;
		if (this.#fetches.get(fetch.ref.address) === fetch) this.#fetches.delete(fetch.ref.address);
		this.#completing.add(fetch.ref.address);
	}

	async #complete(fetch: Fetch): Promise<void> {
		try {
			await this.#check(fetch);
		} finally {
			this.#completing.delete(fetch.ref.address);
			void this.#pump();
		}
	}

	/** Every byte is here: put the scan together, check it, hand it to the mirror. */
	async #check(fetch: Fetch): Promise<void> {
		const { ref, peerId } = fetch;
		const pieces = await this.#pieces.readPieces(ref.address);
		const ct = new Uint8Array(ref.size);
		let at = 0;
		for (const piece of pieces) {
			if (piece.offset !== at || at + piece.bytes.length > ref.size) break;
			ct.set(piece.bytes, at);
			at += piece.bytes.length;
		}
		for (const part of fetch.buffer) {
			if (at + part.length > ref.size) break;
			ct.set(part, at);
			at += part.length;
		}
		fetch.buffer = [];
		fetch.bufferedBytes = 0;
		if (at === ref.size) {
			// The mirror checks the hash (once: megabytes per scan) before it writes anything.
			const outcome = await this.#mirror.scanArrived(ref, ct).catch(() => 'failed');
			if (outcome === 'written') {
				this.#failures.delete(ref.address);
				this.#events.received?.(ref.address, peerId);
			} else if (outcome === 'corrupt') {
				this.#events.corrupt?.(ref.address, peerId);
				this.#markFailed(ref.address, peerId, 1);
			}
		}
		await this.#pieces.deletePieces(ref.address);
	}

	/** Pieces of scans no longer wanted (deleted meanwhile) are dropped at start. */
	async #dropStalePieces(): Promise<void> {
		const addresses = await this.#pieces.pieceAddresses().catch(() => [] as string[]);
		const wanted = new Set(this.#mirror.wantedScans().map((ref) => ref.address));
		for (const address of addresses) {
			if (!wanted.has(address)) await this.#pieces.deletePieces(address).catch(() => {});
		}
	}

	// Sending.

	#request(peerId: string, address: string, offset: number): void {
		const link = this.#links.get(peerId);
		if (!link) return;
		let serving = this.#serving.get(peerId);
		if (!serving) this.#serving.set(peerId, (serving = { queue: [], running: false }));
		if (
			serving.queue.length >= MAX_QUEUED_REQUESTS ||
			serving.queue.some((queued) => queued.address === address)
		) {
			void link.send(encodeTransfer(KIND.none, address));
			return;
		}
		serving.queue.push({ address, offset });
		if (!serving.running) void this.#serve(link, serving);
	}

	async #serve(link: ScanLink, serving: Serving): Promise<void> {
		serving.running = true;
		try {
			let next: Promise<ToServe> | undefined;
			while (!this.#stopped) {
				if (!next) {
					const request = serving.queue.shift();
					if (!request) break;
					next = this.#readToServe(request.address, request.offset);
				}
				const current = await next;
				// The next scan is read from Dexie while this one goes out, so the channel does
				// not wait on the disk between scans (two scans in memory at most).
				const request = serving.queue.shift();
				next = request && this.#readToServe(request.address, request.offset);
				if (!current.row || !(await this.#sendRow(link, current))) {
					if (!(await link.send(encodeTransfer(KIND.none, current.address)))) return;
				}
			}
		} finally {
			serving.running = false;
		}
	}

	/** The row to send from `offset`, or none when this device will not send that scan. */
	async #readToServe(address: string, offset: number): Promise<ToServe> {
		const served = this.#mirror.scanToServe(address);
		if (!served || offset >= served.ref.size) return { address, offset };
		const row = await this.#vaultDb.scans.get(served.ref.id).catch(() => undefined);
		if (!row || versionFingerprint(row) !== served.fingerprint) return { address, offset };
		return { address, offset, row };
	}

	/** False when the scan changed meanwhile and is no longer served. */
	async #sendRow(link: ScanLink, { address, offset, row }: ToServe): Promise<boolean> {
		if (!row || !this.#mirror.scanToServe(address)) return false;
		for (let at = offset; at < row.ct.length; at += CHUNK_BYTES) {
			if (this.#stopped || !this.#links.has(link.peerId)) return true;
			const bytes = row.ct.subarray(at, at + CHUNK_BYTES);
			if (!(await link.send(encodeTransfer(KIND.chunk, address, at, bytes)))) return true;
		}
		return true;
	}
}
