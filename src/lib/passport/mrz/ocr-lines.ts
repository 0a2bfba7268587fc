/**
 * Turns what an OCR engine read in an MRZ band (characters with their boxes) into MRZ lines of
 * the right length, before the look-alike repair and the parser. Pure.
 *
 * Why boxes and not the engine's text: a general model splits a `<` filler into two characters
 * (`<K`, `L<`) or drops one, so the text has the wrong length and every position after it shifts.
 * The MRZ is set in OCR-B, a fixed-pitch typeface: each character owns one cell of the same
 * width, so a box's centre tells which position it stands for, whatever the engine made of it.
 */
import type { MrzFormat } from './proposals.js';

export interface OcrSymbol {
	text: string;
	/** 0–100, as Tesseract gives it. */
	confidence: number;
	x0: number;
	x1: number;
	y0?: number;
	y1?: number;
}

/** One MRZ line as cells, for a second look at the pixels (see mrz-glyphs.ts). */
export interface CellLine {
	/** The line's characters as the engine boxed them (their y tells the line's height). */
	symbols: OcrSymbol[];
	/** The character each cell holds so far. */
	texts: string[];
	/** Each cell's centre, on a straight fit through the cells holding one character. */
	centres: number[];
	pitch: number;
	/** Cells holding one character the engine is sure of (confidence 90 or more). */
	sure: boolean[];
	/** The engine's confidence in each cell's character; 0 for a cell it left empty. */
	confidence: number[];
}

/**
 * A second look at the cells (their pixels, a second reading): the character each cell holds
 * instead, or undefined where the first reading stands.
 */
export type CellReview = (lines: CellLine[]) => (string | undefined)[][] | undefined;

export interface OcrLine {
	symbols: OcrSymbol[];
}

const LENGTHS: Readonly<Record<MrzFormat, number>> = { TD1: 30, TD2: 36, TD3: 44 };
/** Fewer characters than this is a printed label, not an MRZ line. */
const MIN_SYMBOLS = 20;
const MRZ_CHAR = /^[A-Z0-9<]$/;

const SURE = 90;

const centre = (symbol: OcrSymbol) => (symbol.x0 + symbol.x1) / 2;

/**
 * Cell centres on the least-squares line through the cells that hold one character: fillers and
 * letters then get the same window whatever box the engine drew around them.
 */
function fittedCentres(cells: OcrSymbol[][]): number[] {
	const points = cells.flatMap((cell, index) =>
		cell.length === 1 ? [{ k: index, x: centre(cell[0]) }] : []
	);
	const n = points.length;
	const meanK = points.reduce((sum, point) => sum + point.k, 0) / n;
	const meanX = points.reduce((sum, point) => sum + point.x, 0) / n;
	let covariance = 0;
	let variance = 0;
	for (const point of points) {
		covariance += (point.k - meanK) * (point.x - meanX);
		variance += (point.k - meanK) ** 2;
	}
	const slope = variance > 0 ? covariance / variance : 0;
	return cells.map((_, index) => meanX + slope * (index - meanK));
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)];
}

/**
 * The first and last characters with their boxes cut to a usual width on the outer side: the
 * engine often joins the page's edge or the background to them, which moves their centre by a
 * cell and shifts the whole line.
 */
function trimEnds(symbols: OcrSymbol[]): OcrSymbol[] {
	const usual = median(symbols.map((symbol) => symbol.x1 - symbol.x0));
	const trimmed = [...symbols];
	const first = trimmed[0];
	const last = trimmed[trimmed.length - 1];
	if (first.x1 - first.x0 > usual * 1.4) trimmed[0] = { ...first, x0: first.x1 - usual };
	if (last.x1 - last.x0 > usual * 1.4)
		trimmed[trimmed.length - 1] = { ...last, x1: last.x0 + usual };
	return trimmed;
}

/** The distance between two neighbouring cells, from the centres of the characters. */
function pitchOf(symbols: OcrSymbol[]): number {
	const steps = symbols.slice(1).map((symbol, index) => centre(symbol) - centre(symbols[index]));
	const rough = median(steps);
	// Split fillers give half steps, dropped ones double steps: keep the steps near the median.
	return median(steps.filter((step) => step > rough * 0.75 && step < rough * 1.35)) || rough;
}

/**
 * Each character's cell, counted from the first one. Stepping from neighbour to neighbour (not
 * from the line's start) follows a pitch that drifts along the line under perspective.
 */
function cellsOf(symbols: OcrSymbol[], pitch: number): OcrSymbol[][] {
	const cells: OcrSymbol[][] = [[symbols[0]]];
	let position = centre(symbols[0]);
	for (const symbol of symbols.slice(1)) {
		const steps = Math.round((centre(symbol) - position) / pitch);
		if (steps <= 0) {
			cells[cells.length - 1].push(symbol);
			continue;
		}
		for (let gap = 1; gap < steps; gap++) cells.push([]);
		cells.push([symbol]);
		position = centre(symbol);
	}
	return cells;
}

/**
 * One character per cell. An empty cell was a filler the engine skipped. Where the engine put two
 * characters in one cell, `<` and K, L or C, the cell is a filler it cut in two (its tip read as
 * `<`, its arms as K or L); otherwise the surer character wins.
 */
function cellText(cell: OcrSymbol[]): string {
	if (cell.length === 0) return '<';
	if (
		cell.length > 1 &&
		cell.some((symbol) => symbol.text === '<') &&
		cell.every((symbol) => /^[<KLC]$/.test(symbol.text))
	) {
		return '<';
	}
	return cell.reduce((a, b) => (b.confidence > a.confidence ? b : a)).text;
}

/**
 * Each character's cell from where it stands between the line's first and last characters, for
 * lines where stepping from neighbour to neighbour lost or gained a cell (two fillers read as
 * one, one cut in two): the first and last characters of an MRZ line are seldom fillers, so the
 * engine seldom misses them.
 */
function cellsByEnds(symbols: OcrSymbol[], length: number): OcrSymbol[][] {
	const cells: OcrSymbol[][] = Array.from({ length }, () => []);
	const first = centre(symbols[0]);
	const span = centre(symbols[symbols.length - 1]) - first;
	if (!(span > 0)) return cells;
	for (const symbol of symbols) {
		const index = Math.round(((centre(symbol) - first) * (length - 1)) / span);
		cells[Math.min(length - 1, Math.max(0, index))].push(symbol);
	}
	return cells;
}

/** Trims the cells to `length`: surplus cells at either end go, the less sure end first. */
function fit(cells: OcrSymbol[][], length: number): OcrSymbol[][] {
	const fitted = [...cells];
	const sureness = (cell: OcrSymbol[] | undefined) =>
		cell && cell.length > 0 ? Math.max(...cell.map((symbol) => symbol.confidence)) : -1;
	while (fitted.length > length) {
		if (sureness(fitted[0]) < sureness(fitted[fitted.length - 1])) fitted.shift();
		else fitted.pop();
	}
	while (fitted.length < length) fitted.push([]);
	return fitted;
}

export interface OcrMrz {
	format: MrzFormat;
	lines: string[];
}

/**
 * The MRZ in the lines the engine read, or undefined when they do not look like one: the last two
 * long lines of about 44 or 36 characters, or the last three of about 30.
 */
export function mrzFromOcr(ocrLines: readonly OcrLine[], review?: CellReview): OcrMrz | undefined {
	const long = ocrLines
		.map((line) =>
			line.symbols
				.filter((symbol) => MRZ_CHAR.test(symbol.text))
				.sort((a, b) => centre(a) - centre(b))
		)
		.filter((symbols) => symbols.length >= MIN_SYMBOLS);
	if (long.length < 2) return undefined;
	const measured = long.map((line) => {
		let symbols = trimEnds(line);
		let pitch = pitchOf(symbols);
		// A mark beside the line (the page's edge, the background) read as a character: thin,
		// tall or unsure, and apart from the line. An MRZ line starts and ends with characters.
		const usualWidth = median(symbols.map((symbol) => symbol.x1 - symbol.x0));
		const usualHeight = median(symbols.map((symbol) => (symbol.y1 ?? 0) - (symbol.y0 ?? 0)));
		const stray = (symbol: OcrSymbol, neighbour: OcrSymbol) =>
			Math.abs(centre(symbol) - centre(neighbour)) > pitch * 1.8 &&
			(symbol.x1 - symbol.x0 < usualWidth * 0.6 ||
				(symbol.y1 ?? 0) - (symbol.y0 ?? 0) > usualHeight * 1.3 ||
				symbol.confidence < 60);
		while (symbols.length > MIN_SYMBOLS && stray(symbols[0], symbols[1])) {
			symbols = trimEnds(symbols.slice(1));
			pitch = pitchOf(symbols);
		}
		while (
			symbols.length > MIN_SYMBOLS &&
			stray(symbols[symbols.length - 1], symbols[symbols.length - 2])
		) {
			symbols = trimEnds(symbols.slice(0, -1));
			pitch = pitchOf(symbols);
		}
		return { symbols, pitch, cells: cellsOf(symbols, pitch) };
	});
	const lastThree = measured.slice(-3);
	const average = (lines: typeof measured) =>
		lines.reduce((sum, line) => sum + line.cells.length, 0) / lines.length;
	let format: MrzFormat;
	let chosen: typeof measured;
	if (lastThree.length === 3 && Math.abs(average(lastThree) - 30) <= 4) {
		format = 'TD1';
		chosen = lastThree;
	} else {
		chosen = measured.slice(-2);
		const cells = average(chosen);
		format = Math.abs(cells - 44) <= Math.abs(cells - 36) ? 'TD3' : 'TD2';
		if (Math.abs(cells - LENGTHS[format]) > 5) return undefined;
	}
	const length = LENGTHS[format];
	const cellLines = chosen.map((line) => {
		const cells = fit(
			line.cells.length === length ? line.cells : cellsByEnds(line.symbols, length),
			length
		);
		return {
			symbols: line.symbols,
			texts: cells.map(cellText),
			centres: fittedCentres(cells),
			pitch: line.pitch,
			sure: cells.map((cell) => cell.length === 1 && cell[0].confidence >= SURE),
			confidence: cells.map((cell) => Math.max(0, ...cell.map((symbol) => symbol.confidence)))
		};
	});
	const instead = review?.(cellLines);
	const lines = cellLines.map((line, lineIndex) =>
		line.texts
			.map((text, cell) => {
				const other = instead?.[lineIndex]?.[cell];
				return other !== undefined && MRZ_CHAR.test(other) ? other : text;
			})
			.join('')
	);
	return { format, lines: repairFillers(lines, format) };
}

/** Letters a general model reads for an OCR-B `<`: its two arms look like K, L or C. */
const FILLER_LOOKALIKE = /^[KLC]+$/;

/**
 * Where names and optional data stand, per format: [line, start, end, names]. Optional data is
 * mostly fillers, and seldom a run of only K, L and C even at its start.
 */
const FREE_ZONES: Readonly<Record<MrzFormat, [number, number, number, boolean][]>> = {
	TD3: [
		[0, 5, 44, true],
		[1, 28, 42, false]
	],
	TD2: [
		[0, 5, 36, true],
		[1, 28, 35, false]
	],
	TD1: [
		[0, 15, 30, false],
		[1, 18, 29, false],
		[2, 0, 30, true]
	]
};

/**
 * Fillers the model read as letters. In a name or optional-data zone, a run of only K, L and C
 * between fillers or at the zone's end is filler, not a name: names carry vowels,
 * and a one-letter K or L between fillers is far likelier a split `<` than an initial. The
 * optional data's check digit (TD3) and the composite one still check the result.
 */
export function repairFillers(input: readonly string[], format: MrzFormat): string[] {
	const lines = [...input];
	for (const [line, start, end, names] of FREE_ZONES[format]) {
		const zone = lines[line].slice(start, end);
		const tokens = zone.split(/(<+)/);
		const repaired = tokens.map((token, index) => {
			if (token === '' || token.startsWith('<')) return token;
			const afterFiller = index > 0 ? tokens[index - 1].startsWith('<') : !names;
			const looksLikeFiller = FILLER_LOOKALIKE.test(token);
			// A name zone's first token (a surname K) stays: only fillers after a name are repaired.
			if (looksLikeFiller && afterFiller) {
				return '<'.repeat(token.length);
			}
			return token;
		});
		lines[line] = lines[line].slice(0, start) + repaired.join('') + lines[line].slice(end);
	}
	return lines;
}
