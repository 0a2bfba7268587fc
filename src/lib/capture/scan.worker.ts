/**
 * Decodes, downscales and re-encodes one scan off the main thread, so a 12-megapixel photo does not
 * freeze the page while it is processed.
 */
import type { ScanReply, ScanRequest } from './protocol.js';
import { decodeUpright, drawScaled, encodeJpeg } from './render.js';

// The app's TypeScript config carries the DOM library, not the worker one: name what is used.
const scope = self as unknown as {
	onmessage: ((event: MessageEvent<ScanRequest>) => void) | null;
	postMessage(message: ScanReply, transfer?: Transferable[]): void;
};

function canDraw(): boolean {
	try {
		return typeof OffscreenCanvas === 'function' && !!new OffscreenCanvas(1, 1).getContext('2d');
	} catch {
		return false;
	}
}

async function handle({ id, file }: ScanRequest): Promise<void> {
	if (!canDraw()) {
		scope.postMessage({ id, ok: false, reason: 'unsupported', message: 'No 2D OffscreenCanvas' });
		return;
	}
	let bitmap: ImageBitmap;
	try {
		bitmap = await decodeUpright(file);
	} catch (error) {
		scope.postMessage({ id, ok: false, reason: 'unreadable', message: String(error) });
		return;
	}
	try {
		const canvas = drawScaled(
			bitmap,
			bitmap,
			(size) => new OffscreenCanvas(size.width, size.height)
		);
		bitmap.close();
		const bytes = await encodeJpeg(canvas);
		scope.postMessage({ id, ok: true, bytes }, [bytes.buffer]);
	} catch (error) {
		bitmap.close();
		// Drawing or encoding failed here (memory, a missing encoder): the main thread may still manage.
		scope.postMessage({ id, ok: false, reason: 'unsupported', message: String(error) });
	}
}

scope.onmessage = (event) => void handle(event.data);
