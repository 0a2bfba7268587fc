/**
 * Reads the machine-readable zone of a passport or ID card photo, off the main thread (issue 13):
 * finds the MRZ band and cuts it straight (mrz-band.ts), reads it with Tesseract restricted to
 * the MRZ alphabet, puts each character in its fixed-pitch cell and takes a second look at the
 * cells read as K, L, E or C, which may be fillers (ocr-lines.ts, mrz-glyphs.ts). The text goes back to the page, which reads it with the
 * same parser as typed lines: check digits and look-alike repair happen there.
 *
 * The engine, its WebAssembly and its model are served by the wallet itself under
 * __PAPIERS_OCR_DIR__ (copied from npm packages at build time, see vite.config.ts), fetched only
 * when the person asks, and kept by the service worker for offline use.
 */
import type Tesseract from 'tesseract.js';
import { positionKinds } from '$lib/passport/mrz/lookalikes';
import { mrzFromOcr, type CellLine, type OcrLine } from '$lib/passport/mrz/ocr-lines';
import { cutBand, findMrzBand, rgbaToGrey, toPgm, type GreyImage } from './mrz-band.js';
import { fillerReview } from './mrz-glyphs.js';
import type { MrzOcrReply, MrzOcrRequest } from './mrz-ocr-protocol.js';
import { decodeUpright } from './render.js';

declare const __PAPIERS_OCR_DIR__: string;

// The app's TypeScript config carries the DOM library, not the worker one: name what is used.
const scope = self as unknown as {
	onmessage: ((event: MessageEvent<MrzOcrRequest>) => void) | null;
	postMessage(message: MrzOcrReply): void;
	location: Location;
};

/** Longest side the photo is analysed at: the MRZ stays legible, the work stays small. */
const ANALYSIS_SIDE = 2000;
const MRZ_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';

let engine: Promise<Tesseract.Worker> | undefined;

/** Starts Tesseract once, from this origin only (no blob: worker, no CDN, no IndexedDB copy). */
function startEngine(): Promise<Tesseract.Worker> {
	engine ??= (async () => {
		const { default: tesseract } = (await import('tesseract.js/dist/tesseract.esm.min.js')) as {
			default: typeof Tesseract;
		};
		const base = new URL(__PAPIERS_OCR_DIR__, scope.location.origin).href;
		const worker = await tesseract.createWorker('eng', tesseract.OEM.LSTM_ONLY, {
			workerPath: `${base}worker.min.js`,
			corePath: base,
			langPath: base.replace(/\/$/, ''),
			workerBlobURL: false,
			// The service worker keeps the model; a second copy in IndexedDB would only take space.
			cacheMethod: 'none',
			gzip: true
		});
		await worker.setParameters({
			tessedit_char_whitelist: MRZ_ALPHABET,
			// One uniform block of text: the band holds nothing but the MRZ lines.
			tessedit_pageseg_mode: tesseract.PSM.SINGLE_BLOCK
		});
		return worker;
	})();
	engine.catch(() => (engine = undefined));
	return engine;
}

async function greyPhoto(photo: Blob): Promise<GreyImage> {
	const bitmap = await decodeUpright(photo);
	const scale = Math.min(1, ANALYSIS_SIDE / Math.max(bitmap.width, bitmap.height));
	const width = Math.max(1, Math.round(bitmap.width * scale));
	const height = Math.max(1, Math.round(bitmap.height * scale));
	const canvas = new OffscreenCanvas(width, height);
	const context = canvas.getContext('2d');
	if (!context) throw new Error('No 2D OffscreenCanvas');
	context.drawImage(bitmap, 0, 0, width, height);
	bitmap.close();
	return rgbaToGrey(context.getImageData(0, 0, width, height).data, width, height);
}

function boxedLines(page: Tesseract.Page): OcrLine[] {
	return (page.blocks ?? [])
		.flatMap((block) => block.paragraphs)
		.flatMap((paragraph) => paragraph.lines)
		.map((line) => ({
			symbols: line.words
				.flatMap((word) => word.symbols)
				.map((symbol) => ({ text: symbol.text, confidence: symbol.confidence, ...symbol.bbox }))
		}));
}

/** Cells below this confidence are read again on their own. */
const UNSURE = 75;
/** A second reading replaces the first only when the engine is this sure of it. */
const REREAD_SURE = 80;
/** Bounds the extra work on a poor photo: each second reading costs tens of milliseconds. */
const MAX_REREADS = 8;

/**
 * Reads the unsure cells again, each with the cell before it as context (a single character
 * alone reads worse): after a long run of fillers the model tends to take the last digit for one
 * more `<`, or for H (seen on the composite check digit), which it reads right in a short
 * window. Unsure: a low confidence, or a character its position cannot hold (a letter where only
 * digits stand, a digit in a name).
 */
async function rereadUnsure(
	tesseract: Tesseract.Worker,
	image: Tesseract.ImageLike,
	lines: CellLine[],
	kinds: string[][]
): Promise<(string | undefined)[][]> {
	const out = lines.map((line) => line.texts.map((): string | undefined => undefined));
	const impossible = (text: string, kind: string | undefined) =>
		(kind === 'digits' && /[A-Z]/.test(text)) || (kind === 'letters' && /[0-9]/.test(text));
	const unsure = lines
		.flatMap((line, index) =>
			line.confidence.map((confidence, cell) => ({
				index,
				cell,
				line,
				// Impossible characters first, then the least sure.
				confidence: impossible(line.texts[cell], kinds[index]?.[cell]) ? -1 : confidence
			}))
		)
		.filter((entry) => entry.confidence < UNSURE && entry.cell > 0)
		.sort((a, b) => a.confidence - b.confidence)
		.slice(0, MAX_REREADS);
	if (unsure.length === 0) return out;
	await tesseract.setParameters({ tessedit_pageseg_mode: '7' as Tesseract.PSM });
	try {
		for (const { index, cell, line } of unsure) {
			const tall = line.symbols.filter((symbol) => symbol.y0 !== undefined);
			if (tall.length === 0) continue;
			const top = Math.min(...tall.map((symbol) => symbol.y0!));
			const bottom = Math.max(...tall.map((symbol) => symbol.y1!));
			const left = Math.max(0, Math.round(line.centres[cell - 1] - line.pitch * 0.6));
			const right = Math.round(line.centres[cell] + line.pitch * 0.8);
			const { data } = await tesseract.recognize(
				image,
				{
					rectangle: {
						left,
						top: Math.max(0, Math.round(top - line.pitch * 0.4)),
						width: right - left,
						height: Math.round(bottom - top + line.pitch * 0.8)
					}
				},
				{ blocks: true, text: false }
			);
			const symbols = boxedLines(data).flatMap((read) => read.symbols);
			// The character nearest the cell's centre (boxes are in the whole band's pixels).
			const nearest = symbols
				.map((symbol) => ({
					symbol,
					distance: Math.abs((symbol.x0 + symbol.x1) / 2 - line.centres[cell])
				}))
				.sort((a, b) => a.distance - b.distance)[0];
			if (
				nearest &&
				nearest.distance < line.pitch * 0.4 &&
				nearest.symbol.confidence >= REREAD_SURE
			) {
				out[index][cell] = nearest.symbol.text;
			}
		}
	} finally {
		await tesseract.setParameters({ tessedit_pageseg_mode: '6' as Tesseract.PSM });
	}
	return out;
}

async function handle({ id, photo }: MrzOcrRequest): Promise<void> {
	let startMs = 0;
	const began = performance.now();
	const fail = (reason: 'no_mrz' | 'unreadable' | 'unsupported', message: string) =>
		scope.postMessage({
			id,
			ok: false,
			reason,
			message,
			startMs,
			readMs: performance.now() - began - startMs
		});
	let tesseract: Tesseract.Worker;
	try {
		const starting = performance.now();
		const wasStarted = engine !== undefined;
		tesseract = await startEngine();
		if (!wasStarted) startMs = performance.now() - starting;
	} catch (error) {
		fail('unsupported', String(error));
		return;
	}
	let grey: GreyImage;
	try {
		grey = await greyPhoto(photo);
	} catch (error) {
		fail('unsupported', String(error));
		return;
	}
	const band = findMrzBand(grey);
	if (!band) {
		fail('no_mrz', 'No MRZ band in the photo');
		return;
	}
	const cut = cutBand(grey, band);
	try {
		// Tesseract.js types list Buffer, not Uint8Array; its browser loader takes bytes as they are.
		const pgm = toPgm(cut) as unknown as Tesseract.ImageLike;
		const { data } = await tesseract.recognize(pgm, {}, { blocks: true, text: false });
		const lines = boxedLines(data);
		// First pass: where each character stands, and how sure the engine is of it.
		let cells: CellLine[] = [];
		const first = mrzFromOcr(lines, (seen) => {
			cells = seen;
			return undefined;
		});
		if (!first) {
			fail('unreadable', 'The band does not read as MRZ lines');
			return;
		}
		const reread = await rereadUnsure(tesseract, pgm, cells, positionKinds(first.format));
		const withReread = cells.map((line, index) => ({
			...line,
			texts: line.texts.map((text, cell) => reread[index][cell] ?? text)
		}));
		const stems = fillerReview(cut)(withReread);
		const mrz = mrzFromOcr(lines, () =>
			withReread.map((line, index) => line.texts.map((text, cell) => stems?.[index][cell] ?? text))
		);
		if (!mrz) {
			fail('unreadable', 'The band does not read as MRZ lines');
			return;
		}
		scope.postMessage({
			id,
			ok: true,
			text: mrz.lines.join('\n'),
			startMs,
			readMs: performance.now() - began - startMs
		});
	} catch (error) {
		fail('unsupported', String(error));
	}
}

// One photo at a time: Tesseract's worker reads one image at a time anyway.
let queue = Promise.resolve();
scope.onmessage = (event) => {
	queue = queue.then(() => handle(event.data));
};
