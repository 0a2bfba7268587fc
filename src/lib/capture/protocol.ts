/** Messages between capture.ts and scan.worker.ts. */

export interface ScanRequest {
	id: number;
	file: Blob;
}

export type ScanReply =
	| { id: number; ok: true; bytes: Uint8Array }
	/**
	 * `unsupported`: this worker cannot draw (no 2D OffscreenCanvas), so the main thread takes over.
	 * `unreadable`: the browser could not decode the file as an image.
	 */
	| { id: number; ok: false; reason: 'unsupported' | 'unreadable'; message: string };
