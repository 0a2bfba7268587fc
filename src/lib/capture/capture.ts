/**
 * Photo intake: a File or Blob from the camera or the gallery becomes a stored scan, a fresh JPEG
 * of at most 2048 px on its long side, upright, with no EXIF, GPS or XMP left in it.
 * The work runs in a Web Worker with an OffscreenCanvas where the browser has one, and on the
 * main thread otherwise.
 */
import { CaptureError } from './errors.js';
import { isJpeg, jpegHasExif, jpegHasXmp, readJpegSize } from './jpeg.js';
import type { ScanReply } from './protocol.js';
import { decodeUpright, drawScaled, encodeJpeg } from './render.js';

export interface CapturedScan {
	/** A baseline JPEG made by the browser's encoder from the decoded pixels. */
	bytes: Uint8Array;
	width: number;
	height: number;
}

/** Larger than any phone photo; beyond it decoding would risk the tab's memory. */
export const MAX_INPUT_BYTES = 50 * 1024 * 1024;

export interface CaptureOptions {
	/** false processes on the main thread even where a worker could (tests compare both paths). */
	useWorker?: boolean;
}

export async function captureScan(file: Blob, options: CaptureOptions = {}): Promise<CapturedScan> {
	if (file.size === 0) throw new CaptureError('empty_file', 'The file is empty');
	if (file.size > MAX_INPUT_BYTES) {
		throw new CaptureError('file_too_large', `The file is over ${MAX_INPUT_BYTES} bytes`);
	}
	if (options.useWorker !== false) {
		const reply = await processInWorker(file);
		// Any worker failure, even "unreadable", gets a second chance on the main thread, whose
		// <img> decoder knows formats createImageBitmap may not (HEIC in Safari).
		if (reply?.ok) return checked(reply.bytes);
	}
	return checked(await processOnMainThread(file));
}

/** The encoder's output, checked rather than trusted: the caller stores exactly this. */
function checked(bytes: Uint8Array): CapturedScan {
	if (!isJpeg(bytes))
		throw new CaptureError('processing_failed', 'The encoder did not give a JPEG');
	if (jpegHasExif(bytes) || jpegHasXmp(bytes)) {
		throw new CaptureError('processing_failed', 'The encoder kept metadata');
	}
	const size = readJpegSize(bytes);
	if (!size) throw new CaptureError('processing_failed', 'The encoded JPEG has no frame header');
	return { bytes, ...size };
}

// ---- worker path

let worker: Worker | null | undefined; // undefined: not started yet; null: unavailable here
let nextRequestId = 1;
const pendingReplies = new Map<number, (reply: ScanReply | null) => void>();

function scanWorker(): Worker | null {
	if (worker !== undefined) return worker;
	if (typeof Worker === 'undefined' || typeof OffscreenCanvas === 'undefined')
		return (worker = null);
	try {
		worker = new Worker(new URL('./scan.worker.ts', import.meta.url), { type: 'module' });
	} catch {
		return (worker = null);
	}
	worker.onmessage = (event: MessageEvent<ScanReply>) => {
		pendingReplies.get(event.data.id)?.(event.data);
		pendingReplies.delete(event.data.id);
	};
	// A worker that failed to load (an old browser without module workers, a CSP) or crashed:
	// answer everything waiting with "no", and let the main thread do the work from now on.
	worker.onerror = worker.onmessageerror = () => {
		worker?.terminate();
		worker = null;
		for (const resolve of pendingReplies.values()) resolve(null);
		pendingReplies.clear();
	};
	return worker;
}

function processInWorker(file: Blob): Promise<ScanReply | null> {
	const target = scanWorker();
	if (!target) return Promise.resolve(null);
	const id = nextRequestId++;
	return new Promise((resolve) => {
		pendingReplies.set(id, resolve);
		target.postMessage({ id, file });
	});
}

// ---- main-thread path

async function processOnMainThread(file: Blob): Promise<Uint8Array> {
	const createCanvas = ({ width, height }: { width: number; height: number }) => {
		const canvas = document.createElement('canvas');
		canvas.width = width;
		canvas.height = height;
		return canvas;
	};
	let bitmap: ImageBitmap | null = null;
	if (typeof createImageBitmap === 'function') {
		bitmap = await decodeUpright(file).catch(() => null);
	}
	if (bitmap) {
		try {
			return await encodeJpeg(drawScaled(bitmap, bitmap, createCanvas));
		} catch (error) {
			throw new CaptureError('processing_failed', 'Could not process the image', { cause: error });
		} finally {
			bitmap.close();
		}
	}
	// <img> applies the EXIF orientation itself (CSS image-orientation: from-image, the default).
	const url = URL.createObjectURL(file);
	try {
		const image = new Image();
		image.src = url;
		try {
			await image.decode();
		} catch (error) {
			throw new CaptureError('not_an_image', 'The file is not an image', { cause: error });
		}
		const size = { width: image.naturalWidth, height: image.naturalHeight };
		try {
			return await encodeJpeg(drawScaled(image, size, createCanvas));
		} catch (error) {
			throw new CaptureError('processing_failed', 'Could not process the image', { cause: error });
		}
	} finally {
		URL.revokeObjectURL(url);
	}
}
