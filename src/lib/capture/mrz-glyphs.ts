/**
 * Second look at the cells of an MRZ band, for the one confusion the check digits cannot settle
 * in names: the OCR-B filler `<` read as K or L by a general OCR model. Pure.
 *
 * K, L, E and C have a tall vertical stroke; the two arms of a `<` never run down a column for
 * long. Measuring that in the cell's pixels tells them apart whatever the model thought.
 */
import type { CellLine, CellReview } from '$lib/passport/mrz/ocr-lines';
import type { GreyImage } from './mrz-band.js';

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)];
}

/** The line's cap height, from the characters that span it (a `<` is shorter). */
function verticalSpan(line: CellLine): { top: number; bottom: number } | undefined {
	const tall = line.symbols.filter(
		(symbol) => symbol.text !== '<' && symbol.y0 !== undefined && symbol.y1 !== undefined
	);
	if (tall.length === 0) return undefined;
	const top = median(tall.map((symbol) => symbol.y0!));
	const bottom = median(tall.map((symbol) => symbol.y1!));
	return bottom > top ? { top, bottom } : undefined;
}

/**
 * The longest vertical run of ink in the cell, as a share of the line's cap height. K, L and E
 * stand on a full-height stem, C on a tall curve (0.6 and more); the two arms of an OCR-B `<`
 * meet at a point and never run down a column for long (under 0.45).
 */
export function stemHeight(
	image: GreyImage,
	cx: number,
	half: number,
	top: number,
	bottom: number
): number {
	const x0 = Math.max(0, Math.floor(cx - half));
	const x1 = Math.min(image.width, Math.ceil(cx + half));
	const y0 = Math.max(0, Math.floor(top - (bottom - top) * 0.15));
	const y1 = Math.min(image.height, Math.ceil(bottom + (bottom - top) * 0.15));
	let low = 255;
	let high = 0;
	for (let y = y0; y < y1; y++) {
		for (let x = x0; x < x1; x++) {
			const value = image.data[y * image.width + x];
			low = Math.min(low, value);
			high = Math.max(high, value);
		}
	}
	if (high - low < 40) return 0;
	const ink = (low + high) / 2;
	let longest = 0;
	for (let x = x0; x < x1; x++) {
		let run = 0;
		for (let y = y0; y < y1; y++) {
			run = image.data[y * image.width + x] < ink ? run + 1 : 0;
			longest = Math.max(longest, run);
		}
	}
	return longest / (bottom - top);
}

/**
 * Letters that stand on a stem or a tall curve, which the model reads for a `<`, and the stem
 * below which the cell is a filler. Measured on generated photos (band lines 48 px apart): K, L
 * and E 0.87–1.13, C 0.61; fillers 0.28–0.53.
 */
const FILLER_STEM: Readonly<Record<string, number>> = { K: 0.7, L: 0.7, E: 0.7, C: 0.56 };

/**
 * A review for mrzFromOcr over this band image: a cell read as K, L, E or C with no tall stroke
 * is a filler.
 */
export function fillerReview(image: GreyImage): CellReview {
	return (lines) =>
		lines.map((line) => {
			const span = verticalSpan(line);
			return line.texts.map((text, cell) => {
				const limit = FILLER_STEM[text];
				if (!span || !(line.pitch > 0) || limit === undefined) return undefined;
				const stem = stemHeight(image, line.centres[cell], line.pitch / 2, span.top, span.bottom);
				return stem < limit ? '<' : undefined;
			});
		});
}
