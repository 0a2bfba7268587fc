/**
 * Look-alike characters (0/O, 1/I, 5/S, 8/B) chosen from what each zone may hold and from the
 * check digits. OCR and people copying a passport both confuse them. Where a zone holds only
 * digits (dates, check digits) or only letters (names, codes, sex), the choice is forced. In the
 * zones that mix both (document number, optional data), a failing check digit is repaired by the
 * fewest swaps that make it pass, and only when exactly one such reading exists (the composite
 * check digit breaks ties); otherwise the field stays as read, and flagged.
 */
import type { MrzFormat } from './proposals.js';

const TO_DIGIT: Readonly<Record<string, string>> = { O: '0', I: '1', S: '5', B: '8' };
const TO_LETTER: Readonly<Record<string, string>> = { '0': 'O', '1': 'I', '5': 'S', '8': 'B' };
const SWAP: Readonly<Record<string, string>> = { ...TO_DIGIT, ...TO_LETTER };
/**
 * Where a zone holds only digits or only letters, more of an OCR engine's confusions can be
 * undone (Z/2, G/6, T/1, Q/0, D/0, A/4): the zone allows one reading only. They stay out of the
 * swaps in mixed zones, where each added pair would make more readings pass a check digit.
 */
const FORCED_DIGIT: Readonly<Record<string, string>> = {
	...TO_DIGIT,
	Z: '2',
	G: '6',
	T: '1',
	Q: '0',
	D: '0'
};
const FORCED_LETTER: Readonly<Record<string, string>> = {
	...TO_LETTER,
	'2': 'Z',
	'6': 'G',
	'4': 'A'
};
/** More swaps than this in one field is not a misread any more: leave it flagged. */
const MAX_SWAPS = 2;

export interface Correction {
	line: number;
	column: number;
	from: string;
	to: string;
}

export type Kind = 'digits' | 'letters' | 'mixed';
interface Zone {
	line: number;
	start: number;
	end: number;
	kind: Kind;
}
interface CheckedZone {
	value: Zone;
	/** Position of the check digit, on the same line. */
	check: number;
}
interface Layout {
	zones: Zone[];
	/** Mixed zones with a check digit, which the search may repair. */
	checked: CheckedZone[];
	/** The composite check digit and the parts it covers. */
	composite: { line: number; column: number; parts: Omit<Zone, 'kind'>[] };
}

const z = (line: number, start: number, end: number, kind: Kind): Zone => ({
	line,
	start,
	end,
	kind
});

// Positions from ICAO 9303 parts 4 (TD3), 5 (TD1) and 6 (TD2). TD3 and TD2 share the start of
// their second line: document number, check, nationality, birth date and check, sex, expiry and
// check; then optional data and check digits up to the end of the line.
const SECOND_LINE_START: Zone[] = [
	z(1, 0, 9, 'mixed'),
	z(1, 9, 10, 'digits'),
	z(1, 10, 13, 'letters'),
	z(1, 13, 20, 'digits'),
	z(1, 20, 21, 'letters'),
	z(1, 21, 28, 'digits')
];

const LAYOUTS: Readonly<Record<MrzFormat, Layout>> = {
	TD3: {
		zones: [
			z(0, 0, 44, 'letters'),
			...SECOND_LINE_START,
			z(1, 28, 42, 'mixed'),
			z(1, 42, 44, 'digits')
		],
		checked: [
			{ value: z(1, 0, 9, 'mixed'), check: 9 },
			{ value: z(1, 28, 42, 'mixed'), check: 42 }
		],
		composite: {
			line: 1,
			column: 43,
			parts: [
				{ line: 1, start: 0, end: 10 },
				{ line: 1, start: 13, end: 20 },
				{ line: 1, start: 21, end: 43 }
			]
		}
	},
	TD2: {
		zones: [
			z(0, 0, 36, 'letters'),
			...SECOND_LINE_START,
			z(1, 28, 35, 'mixed'),
			z(1, 35, 36, 'digits')
		],
		checked: [{ value: z(1, 0, 9, 'mixed'), check: 9 }],
		composite: {
			line: 1,
			column: 35,
			parts: [
				{ line: 1, start: 0, end: 10 },
				{ line: 1, start: 13, end: 20 },
				{ line: 1, start: 21, end: 35 }
			]
		}
	},
	TD1: {
		zones: [
			z(0, 0, 5, 'letters'),
			z(0, 5, 14, 'mixed'),
			z(0, 14, 15, 'digits'),
			z(0, 15, 30, 'mixed'),
			z(1, 0, 7, 'digits'),
			z(1, 7, 8, 'letters'),
			z(1, 8, 15, 'digits'),
			z(1, 15, 18, 'letters'),
			z(1, 18, 29, 'mixed'),
			z(1, 29, 30, 'digits'),
			z(2, 0, 30, 'letters')
		],
		checked: [{ value: z(0, 5, 14, 'mixed'), check: 14 }],
		composite: {
			line: 1,
			column: 29,
			parts: [
				{ line: 0, start: 5, end: 30 },
				{ line: 1, start: 0, end: 7 },
				{ line: 1, start: 8, end: 15 },
				{ line: 1, start: 18, end: 29 }
			]
		}
	}
};

const VALUES = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * What each position of each line may hold: 'digits' (dates, check digits; `<` too where a
 * check digit of empty data stands), 'letters' (names, codes, sex) or 'mixed'.
 */
export function positionKinds(format: MrzFormat): Kind[][] {
	const { zones } = LAYOUTS[format];
	const lines = Math.max(...zones.map((zone) => zone.line)) + 1;
	const kinds: Kind[][] = Array.from({ length: lines }, () => []);
	for (const zone of zones) {
		for (let column = zone.start; column < zone.end; column++) kinds[zone.line][column] = zone.kind;
	}
	return kinds;
}

/** ICAO 9303 check digit: weights 7, 3, 1; `<` counts 0. */
export function checkDigit(text: string): string {
	let sum = 0;
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		sum += (char === '<' ? 0 : VALUES.indexOf(char)) * [7, 3, 1][index % 3];
	}
	return String(sum % 10);
}

/** Whether the check digit at `check` matches; a filler-only zone may carry `<` instead. */
function passes(line: string, value: Zone, check: number): boolean {
	const text = line.slice(value.start, value.end);
	const digit = line[check];
	return digit === checkDigit(text) || (digit === '<' && /^<*$/.test(text));
}

function compositePasses(lines: readonly string[], layout: Layout): boolean {
	const { line, column, parts } = layout.composite;
	const text = parts.map((part) => lines[part.line].slice(part.start, part.end)).join('');
	return lines[line][column] === checkDigit(text);
}

function setChar(line: string, column: number, char: string): string {
	return line.slice(0, column) + char + line.slice(column + 1);
}

/** Every way to swap exactly `count` of `positions`. */
function* combinations(positions: readonly number[], count: number, from = 0): Generator<number[]> {
	if (count === 0) {
		yield [];
		return;
	}
	for (let index = from; index <= positions.length - count; index++) {
		for (const rest of combinations(positions, count - 1, index + 1)) {
			yield [positions[index], ...rest];
		}
	}
}

/**
 * Whether the document number could as well be another reading: one or two look-alike swaps
 * (0/O, 1/I, 5/S, 8/B) that pass its check digit and the composite one too. Two swaps can cancel
 * out in a check digit (O for 0 at weights 7 and 3: 24 × 10), so a passing check does not tell
 * such readings apart; an OCR reading then needs the person's eye.
 */
export function documentNumberHasTwin(lines: readonly string[], format: MrzFormat): boolean {
	const layout = LAYOUTS[format];
	const { value, check } = layout.checked[0];
	const ambiguous: number[] = [];
	for (let column = value.start; column < value.end; column++) {
		if (SWAP[lines[value.line][column]]) ambiguous.push(column);
	}
	for (let count = 1; count <= Math.min(MAX_SWAPS, ambiguous.length); count++) {
		for (const swaps of combinations(ambiguous, count)) {
			const candidate = [...lines];
			for (const column of swaps) {
				candidate[value.line] = setChar(
					candidate[value.line],
					column,
					SWAP[candidate[value.line][column]]
				);
			}
			if (passes(candidate[value.line], value, check) && compositePasses(candidate, layout)) {
				return true;
			}
		}
	}
	return false;
}

/**
 * The lines with look-alikes resolved, and what changed. `lines` must already have the shape of
 * `format` (see readMrz).
 */
export function correctLookAlikes(
	input: readonly string[],
	format: MrzFormat
): { lines: string[]; corrections: Correction[] } {
	const layout = LAYOUTS[format];
	const lines = [...input];
	const corrections: Correction[] = [];
	const change = (line: number, column: number, to: string) => {
		corrections.push({ line, column, from: lines[line][column], to });
		lines[line] = setChar(lines[line], column, to);
	};

	for (const zone of layout.zones) {
		if (zone.kind === 'mixed') continue;
		const table = zone.kind === 'digits' ? FORCED_DIGIT : FORCED_LETTER;
		for (let column = zone.start; column < zone.end; column++) {
			const to = table[lines[zone.line][column]];
			if (to) change(zone.line, column, to);
		}
	}

	for (const { value, check } of layout.checked) {
		if (passes(lines[value.line], value, check)) continue;
		const ambiguous: number[] = [];
		for (let column = value.start; column < value.end; column++) {
			if (SWAP[lines[value.line][column]]) ambiguous.push(column);
		}
		for (let count = 1; count <= Math.min(MAX_SWAPS, ambiguous.length); count++) {
			const readings: number[][] = [];
			for (const swaps of combinations(ambiguous, count)) {
				let line = lines[value.line];
				for (const column of swaps) line = setChar(line, column, SWAP[line[column]]);
				if (passes(line, value, check)) readings.push(swaps);
			}
			if (readings.length === 0) continue;
			const withComposite = readings.filter((swaps) => {
				const candidate = [...lines];
				for (const column of swaps) {
					candidate[value.line] = setChar(
						candidate[value.line],
						column,
						SWAP[candidate[value.line][column]]
					);
				}
				return compositePasses(candidate, layout);
			});
			const chosen =
				readings.length === 1 ? readings[0] : withComposite.length === 1 ? withComposite[0] : null;
			if (chosen) {
				for (const column of chosen) change(value.line, column, SWAP[lines[value.line][column]]);
			}
			// The fewest swaps decide: a reading that needs more is less likely than an ambiguity.
			break;
		}
	}
	return { lines, corrections };
}
