/**
 * Sizes for a stored scan: pure arithmetic, shared by the worker and the main-thread path, and
 * tested in Node.
 */

/** Longest side of a stored scan: sharp enough to read a passport's MRZ, small enough to sync. */
export const MAX_SCAN_SIDE = 2048;
/** JPEG quality of a stored scan. */
export const SCAN_JPEG_QUALITY = 0.89;

export interface Size {
	width: number;
	height: number;
}

/**
 * The size that fits within `maxSide` on the long side, keeping the aspect ratio; a picture
 * already small enough keeps its size (scans are never enlarged).
 */
export function fitWithin({ width, height }: Size, maxSide = MAX_SCAN_SIDE): Size {
	if (!(width > 0 && height > 0)) throw new RangeError('Image has no pixels');
	const scale = Math.min(1, maxSide / Math.max(width, height));
	return {
		width: Math.max(1, Math.min(maxSide, Math.round(width * scale))),
		height: Math.max(1, Math.min(maxSide, Math.round(height * scale)))
	};
}

/**
 * The sizes to draw through on the way from `from` down to `to`: halvings while the picture is
 * more than twice too big, then the target. A canvas shrinking by more than half in one draw skips
 * source pixels and the text of a document turns to moiré; halving first averages every pixel.
 */
export function downscaleSteps(from: Size, to: Size): Size[] {
	const steps: Size[] = [];
	let current = from;
	while (current.width / 2 >= to.width && current.height / 2 >= to.height) {
		current = { width: Math.round(current.width / 2), height: Math.round(current.height / 2) };
		if (current.width === to.width && current.height === to.height) break;
		steps.push(current);
	}
	if (from.width !== to.width || from.height !== to.height) steps.push(to);
	return steps;
}
