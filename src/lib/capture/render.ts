/**
 * Drawing and JPEG encoding, written once for both places a scan is processed: an OffscreenCanvas
 * in the worker, or an HTMLCanvasElement on the main thread when the browser has no 2D
 * OffscreenCanvas (Safari before 16.4).
 */
import { downscaleSteps, fitWithin, SCAN_JPEG_QUALITY, type Size } from './size.js';

export type ScanCanvas = OffscreenCanvas | HTMLCanvasElement;
export type CreateCanvas = (size: Size) => ScanCanvas;

type Drawable = ImageBitmap | HTMLImageElement | ScanCanvas;

function context2d(canvas: ScanCanvas) {
	const context = canvas.getContext('2d') as
		OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
	if (!context) throw new Error('No 2D canvas context');
	return context;
}

/**
 * Draws `source` (already upright) into a canvas no larger than the scan limit. The first canvas
 * is filled white: a transparent PNG would otherwise encode as a black page.
 */
export function drawScaled(
	source: Drawable,
	sourceSize: Size,
	createCanvas: CreateCanvas
): ScanCanvas {
	const target = fitWithin(sourceSize);
	const steps = downscaleSteps(sourceSize, target);
	let current: Drawable = source;
	let previous: ScanCanvas | undefined;
	for (const [index, size] of (steps.length > 0 ? steps : [target]).entries()) {
		const canvas = createCanvas(size);
		const context = context2d(canvas);
		if (index === 0) {
			context.fillStyle = '#fff';
			context.fillRect(0, 0, size.width, size.height);
		}
		context.imageSmoothingEnabled = true;
		context.imageSmoothingQuality = 'high';
		context.drawImage(current, 0, 0, size.width, size.height);
		// Let the previous intermediate go: at 48 MP each one holds tens of megabytes.
		if (previous) {
			previous.width = 0;
			previous.height = 0;
		}
		previous = canvas;
		current = canvas;
	}
	return previous!;
}

/** A fresh JPEG of the canvas pixels: nothing of the original file (EXIF, GPS, XMP) comes along. */
export async function encodeJpeg(canvas: ScanCanvas): Promise<Uint8Array> {
	let blob: Blob | null;
	if ('convertToBlob' in canvas) {
		blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: SCAN_JPEG_QUALITY });
	} else {
		blob = await new Promise<Blob | null>((resolve) =>
			canvas.toBlob(resolve, 'image/jpeg', SCAN_JPEG_QUALITY)
		);
	}
	if (!blob) throw new Error('The browser could not encode a JPEG');
	return new Uint8Array(await blob.arrayBuffer());
}

/** createImageBitmap turned upright per the EXIF orientation, where the browser supports asking. */
export async function decodeUpright(file: Blob): Promise<ImageBitmap> {
	try {
		return await createImageBitmap(file, { imageOrientation: 'from-image' });
	} catch (error) {
		// Browsers that predate the 'from-image' value reject the option with a TypeError; they
		// still decode, and the orientation is whatever their default is.
		if (!(error instanceof TypeError)) throw error;
		return await createImageBitmap(file);
	}
}
