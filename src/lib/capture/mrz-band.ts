/**
 * Finds the machine-readable zone in a photo of a passport or ID card and cuts it out, straight,
 * for the OCR engine. Pure (no DOM): grey pixels in, grey pixels out, so it runs in the worker and
 * in unit tests alike.
 *
 * Why: a general OCR model run on the whole photo reads the background and the printed labels,
 * and misses MRZ lines tilted by a few degrees. The MRZ is the densest text on the page: two or
 * three long lines of evenly spaced characters. Their vertical edges, projected along the right
 * angle, give the sharpest row profile; the tallest peaks of that profile are the MRZ lines.
 */

export interface GreyImage {
	width: number;
	height: number;
	/** One byte per pixel, row by row. */
	data: Uint8Array;
}

export interface Band {
	/** Radians; the page is turned by this much (positive: counter-clockwise in the photo). */
	angle: number;
	/** Centre of the band and its size, in the photo's pixels, along the band's own axes. */
	centerX: number;
	centerY: number;
	width: number;
	height: number;
	/** How many text lines the profile shows in the band (2 or 3 for an MRZ). */
	lines: number;
}

/** Width the photo is shrunk to for the search: enough to see characters, cheap to scan. */
const ANALYSIS_WIDTH = 640;
/** ICAO 9303 allows a few degrees; a phone held by hand adds some more. */
const MAX_ANGLE_DEGREES = 8;
const ANGLE_STEP_DEGREES = 0.5;
/** Grey levels a stroke must be darker than the pixels two away on both sides. */
const STROKE_CONTRAST = 28;

export function rgbaToGrey(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number) {
	const data = new Uint8Array(width * height);
	for (let index = 0, pixel = 0; pixel < data.length; pixel++, index += 4) {
		data[pixel] = (rgba[index] * 77 + rgba[index + 1] * 150 + rgba[index + 2] * 29) >> 8;
	}
	return { width, height, data } satisfies GreyImage;
}

/** Box-averaged shrink to `width` (keeps thin strokes visible, unlike point sampling). */
function shrink(image: GreyImage, width: number): { image: GreyImage; scale: number } {
	if (image.width <= width) return { image, scale: 1 };
	const scale = image.width / width;
	const height = Math.max(1, Math.round(image.height / scale));
	const data = new Uint8Array(width * height);
	for (let y = 0; y < height; y++) {
		const y0 = Math.floor(y * scale);
		const y1 = Math.max(y0 + 1, Math.min(image.height, Math.floor((y + 1) * scale)));
		for (let x = 0; x < width; x++) {
			const x0 = Math.floor(x * scale);
			const x1 = Math.max(x0 + 1, Math.min(image.width, Math.floor((x + 1) * scale)));
			let sum = 0;
			for (let yy = y0; yy < y1; yy++) {
				const row = yy * image.width;
				for (let xx = x0; xx < x1; xx++) sum += image.data[row + xx];
			}
			data[y * width + x] = sum / ((y1 - y0) * (x1 - x0));
		}
	}
	return { image: { width, height, data }, scale };
}

/**
 * Pixels on a sharp dark-to-light step across x, the left or right side of a stroke. A step must
 * be a dark stroke between lighter pixels within a few pixels: the long straight edges of a photo
 * box or of the page give one edge per row, characters give many.
 */
function strokeEdges(image: GreyImage): { x: Float32Array; y: Float32Array; count: number } {
	const { width, height, data } = image;
	const xs: number[] = [];
	const ys: number[] = [];
	for (let y = 0; y < height; y++) {
		const row = y * width;
		for (let x = 2; x < width - 2; x++) {
			const centre = data[row + x];
			const left = data[row + x - 2];
			const right = data[row + x + 2];
			// A thin dark stroke: darker than both neighbours two pixels away by a clear margin.
			if (left - centre > STROKE_CONTRAST && right - centre > STROKE_CONTRAST) {
				xs.push(x);
				ys.push(y);
			}
		}
	}
	return { x: Float32Array.from(xs), y: Float32Array.from(ys), count: xs.length };
}

function profile(
	edges: { x: Float32Array; y: Float32Array; count: number },
	angle: number,
	size: number
): Float64Array {
	const sin = Math.sin(angle);
	const cos = Math.cos(angle);
	const bins = new Float64Array(size * 2);
	for (let index = 0; index < edges.count; index++) {
		const row = Math.round(edges.y[index] * cos - edges.x[index] * sin) + size;
		if (row >= 0 && row < bins.length) bins[row]++;
	}
	return bins;
}

/** Sum of squares: highest when the rows of text line up with the bins (the right angle). */
function sharpness(bins: Float64Array): number {
	let sum = 0;
	for (const value of bins) sum += value * value;
	return sum;
}

function smooth(bins: Float64Array, radius: number): Float64Array {
	const out = new Float64Array(bins.length);
	for (let index = 0; index < bins.length; index++) {
		let sum = 0;
		for (let offset = -radius; offset <= radius; offset++) {
			sum += bins[Math.min(bins.length - 1, Math.max(0, index + offset))];
		}
		out[index] = sum / (2 * radius + 1);
	}
	return out;
}

interface Run {
	start: number;
	end: number;
	peak: number;
}

function runsAbove(bins: Float64Array, threshold: number): Run[] {
	const runs: Run[] = [];
	let current: Run | undefined;
	bins.forEach((value, index) => {
		if (value >= threshold) {
			if (!current) current = { start: index, end: index + 1, peak: value };
			else {
				current.end = index + 1;
				current.peak = Math.max(current.peak, value);
			}
		} else if (current) {
			runs.push(current);
			current = undefined;
		}
	});
	if (current) runs.push(current);
	return runs;
}

/** The band of the MRZ, or undefined when the photo shows no lines dense enough to be one. */
export function findMrzBand(photo: GreyImage): Band | undefined {
	const { image, scale } = shrink(photo, ANALYSIS_WIDTH);
	const edges = strokeEdges(image);
	if (edges.count < 200) return undefined;
	const size = image.width + image.height;

	let best: { angle: number; score: number; bins: Float64Array } = {
		angle: 0,
		score: -1,
		bins: new Float64Array(0)
	};
	for (
		let degrees = -MAX_ANGLE_DEGREES;
		degrees <= MAX_ANGLE_DEGREES;
		degrees += ANGLE_STEP_DEGREES
	) {
		const angle = (degrees * Math.PI) / 180;
		const bins = profile(edges, angle, size);
		const score = sharpness(bins);
		if (score > best.score) best = { angle, score, bins };
	}

	const bins = smooth(best.bins, 1);
	let max = 0;
	for (const value of bins) max = Math.max(max, value);
	// MRZ lines are the densest rows; printed labels and the photo's edges stay well below half.
	const lines = runsAbove(bins, max * 0.4).filter((run) => run.peak >= max * 0.5);
	if (lines.length === 0) return undefined;
	// The MRZ lines sit together, a line height or so apart: keep the group around the peak.
	const strongest = lines.reduce((a, b) => (b.peak > a.peak ? b : a));
	const lineHeight = Math.max(3, strongest.end - strongest.start);
	const group = [strongest];
	for (const direction of [-1, 1]) {
		let index = lines.indexOf(strongest) + direction;
		while (index >= 0 && index < lines.length) {
			const next = lines[index];
			const last = direction < 0 ? group[0] : group[group.length - 1];
			const gap = direction < 0 ? last.start - next.end : next.start - last.end;
			if (gap > lineHeight * 2.5 || group.length === 3) break;
			if (direction < 0) group.unshift(next);
			else group.push(next);
			index += direction;
		}
	}
	const top = group[0].start - size - lineHeight * 0.9;
	const bottom = group[group.length - 1].end - size + lineHeight * 0.9;

	// Across: where the band's edges are, trimmed of stray ones at either end.
	const sin = Math.sin(best.angle);
	const cos = Math.cos(best.angle);
	const across: number[] = [];
	for (let index = 0; index < edges.count; index++) {
		const x = edges.x[index];
		const y = edges.y[index];
		const row = y * cos - x * sin;
		if (row >= top && row <= bottom) across.push(x * cos + y * sin);
	}
	across.sort((a, b) => a - b);
	const first = across[Math.floor(across.length * 0.002)];
	const last = across[Math.ceil(across.length * 0.998) - 1];
	// A character or so of margin: a last thin `<` or `1` stays inside, the background beside
	// the page (which the engine reads as more characters) mostly outside.
	const margin = lineHeight * 1.5;
	const left = first - margin;
	const right = last + margin;

	// Back to the photo's coordinates: the band's centre, turned back by the angle.
	const u = (left + right) / 2;
	const v = (top + bottom) / 2;
	return {
		angle: best.angle,
		centerX: (u * cos - v * sin) * scale,
		centerY: (u * sin + v * cos) * scale,
		width: (right - left) * scale,
		height: (bottom - top) * scale,
		lines: group.length
	};
}

/**
 * The band, turned straight and scaled so its text lines are `lineHeight` pixels apart
 * (Tesseract reads best with capitals some 20–40 px tall). Bilinear sampling.
 */
export function cutBand(photo: GreyImage, band: Band, lineHeight = 48): GreyImage {
	const zoom = (lineHeight * band.lines) / band.height;
	const width = Math.max(1, Math.round(band.width * zoom));
	const height = Math.max(1, Math.round(band.height * zoom));
	const data = new Uint8Array(width * height);
	const sin = Math.sin(band.angle);
	const cos = Math.cos(band.angle);
	for (let y = 0; y < height; y++) {
		const v = (y - height / 2) / zoom;
		for (let x = 0; x < width; x++) {
			const u = (x - width / 2) / zoom;
			const sx = band.centerX + u * cos - v * sin;
			const sy = band.centerY + u * sin + v * cos;
			data[y * width + x] = sample(photo, sx, sy);
		}
	}
	return stretch(flatten({ width, height, data }, lineHeight));
}

/**
 * Evens out the light: each pixel divided by the mean of the pixels around it (a box of
 * `radius`), so the paper is about as bright at a shaded end of a line as at the lit one, where
 * the engine would otherwise skip the shaded end. Grey levels stay: a black-and-white cut loses
 * the strokes' shape at this size and the engine misreads digits.
 */
function flatten(image: GreyImage, radius: number): GreyImage {
	const { width, height } = image;
	const integral = new Float64Array((width + 1) * (height + 1));
	for (let y = 0; y < height; y++) {
		let row = 0;
		for (let x = 0; x < width; x++) {
			row += image.data[y * width + x];
			integral[(y + 1) * (width + 1) + x + 1] = integral[y * (width + 1) + x + 1] + row;
		}
	}
	const data = new Uint8Array(width * height);
	for (let y = 0; y < height; y++) {
		const y0 = Math.max(0, y - radius);
		const y1 = Math.min(height, y + radius + 1);
		for (let x = 0; x < width; x++) {
			const x0 = Math.max(0, x - radius);
			const x1 = Math.min(width, x + radius + 1);
			const sum =
				integral[y1 * (width + 1) + x1] -
				integral[y0 * (width + 1) + x1] -
				integral[y1 * (width + 1) + x0] +
				integral[y0 * (width + 1) + x0];
			const mean = sum / ((y1 - y0) * (x1 - x0));
			data[y * width + x] = Math.min(255, (image.data[y * width + x] * 200) / Math.max(1, mean));
		}
	}
	return { width, height, data };
}

function sample(image: GreyImage, x: number, y: number): number {
	if (x < 0 || y < 0 || x > image.width - 1 || y > image.height - 1) return 255;
	const x0 = Math.floor(x);
	const y0 = Math.floor(y);
	const x1 = Math.min(image.width - 1, x0 + 1);
	const y1 = Math.min(image.height - 1, y0 + 1);
	const fx = x - x0;
	const fy = y - y0;
	const at = (xx: number, yy: number) => image.data[yy * image.width + xx];
	const top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
	const bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
	return top * (1 - fy) + bottom * fy;
}

/** Full contrast: the darkest ink black, the paper white (uneven light dims both). */
function stretch(image: GreyImage): GreyImage {
	const histogram = new Uint32Array(256);
	for (const value of image.data) histogram[value]++;
	const total = image.data.length;
	let low = 0;
	let high = 255;
	for (let count = 0; low < 255 && (count += histogram[low]) < total * 0.01;) low++;
	for (let count = 0; high > 0 && (count += histogram[high]) < total * 0.05;) high--;
	if (high <= low) return image;
	const data = new Uint8Array(total);
	for (let index = 0; index < total; index++) {
		data[index] = Math.max(0, Math.min(255, ((image.data[index] - low) * 255) / (high - low)));
	}
	return { ...image, data };
}

/** A binary PGM (P5): Tesseract's image reader (Leptonica) takes it as it is, no codec needed. */
export function toPgm(image: GreyImage): Uint8Array {
	const header = new TextEncoder().encode(`P5\n${image.width} ${image.height}\n255\n`);
	const file = new Uint8Array(header.length + image.data.length);
	file.set(header);
	file.set(image.data, header.length);
	return file;
}
