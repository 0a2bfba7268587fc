import { describe, expect, it } from 'vitest';
import { mrzFromOcr, repairFillers, type OcrSymbol } from '$lib/passport/mrz/ocr-lines';
import { readMrz } from '$lib/passport/mrz';
import { ERIKA, replaceAt, td1, td3 } from '../../fixtures/mrz/mrz-lines.js';

const PITCH = 20;
const today = { year: 2026, month: 12, day: 2 };

/** What an engine gives for a line read perfectly: one box per character, a fixed pitch. */
function boxes(line: string, left = 40): OcrSymbol[] {
	return [...line].map((text, index) => ({
		text,
		confidence: 95,
		x0: left + index * PITCH + 3,
		x1: left + index * PITCH + 17,
		y0: 10,
		y1: 34
	}));
}

const read = (...lines: OcrSymbol[][]) => mrzFromOcr(lines.map((symbols) => ({ symbols })));

describe('mrzFromOcr', () => {
	it('reads perfect boxes back as the lines, and tells TD3 from TD1', () => {
		expect(read(...td3(ERIKA).map((line) => boxes(line)))).toEqual({
			format: 'TD3',
			lines: td3(ERIKA)
		});
		expect(read(...td1(ERIKA).map((line) => boxes(line)))).toEqual({
			format: 'TD1',
			lines: td1(ERIKA)
		});
	});

	it('ignores a printed label above the MRZ, and gives up on short lines', () => {
		const label = boxes('PASSPORT');
		expect(read(label, ...td3(ERIKA).map((line) => boxes(line)))?.lines).toEqual(td3(ERIKA));
		expect(read(boxes('PASSPORT'), boxes('SURNAME'))).toBeUndefined();
	});

	it('puts a filler cut in two (`<` and K in one cell) back in one cell', () => {
		const [line1, line2] = td3(ERIKA);
		const symbols = boxes(line1);
		// The `<` at 26 read as a narrow `<` plus a K over its arms.
		const cut = symbols[26];
		symbols.splice(
			26,
			1,
			{ ...cut, x1: cut.x0 + 6, confidence: 90 },
			{ ...cut, text: 'K', x0: cut.x0 + 5, confidence: 88 }
		);
		expect(read(symbols, boxes(line2))?.lines).toEqual([line1, line2]);
	});

	it('fills a filler the engine skipped, keeping every later character in its place', () => {
		const [line1, line2] = td3(ERIKA);
		const symbols = boxes(line2).filter((_, index) => index !== 30);
		expect(read(boxes(line1), symbols)?.lines).toEqual([line1, line2]);
	});

	it('drops a thin mark left of the line and trims a first box that took in the page edge', () => {
		const [line1, line2] = td3(ERIKA);
		const mark: OcrSymbol = { text: 'I', confidence: 96, x0: 2, x1: 5, y0: 8, y1: 36 };
		const wide = boxes(line2);
		wide[0] = { ...wide[0], x0: wide[0].x0 - 25 };
		expect(read([mark, ...boxes(line1)], wide)?.lines).toEqual([line1, line2]);
	});

	it('takes a review’s word for a cell (a filler read as K)', () => {
		const [line1, line2] = td3(ERIKA);
		const misread = replaceAt(line1, 15, 'K'); // MUSTERMANN<K ERIKA: the second `<` of `<<`
		const result = mrzFromOcr([{ symbols: boxes(misread) }, { symbols: boxes(line2) }], (lines) =>
			lines.map((line, index) =>
				line.texts.map((_, cell) => (index === 0 && cell === 15 ? '<' : undefined))
			)
		);
		expect(result?.lines).toEqual([line1, line2]);
		// Without the review, a one-letter K between fillers stays as read in a name.
		expect(read(boxes(misread), boxes(line2))?.lines[0]).toBe(misread);
	});
});

describe('repairFillers', () => {
	it('turns runs of K, L and C after the names into fillers, and keeps real names', () => {
		const [line1, line2] = td3({ ...ERIKA, givenNames: 'KLARA' });
		const misread = line1.slice(0, 30) + 'KLLCLKLLLLLLLL';
		expect(repairFillers([misread, line2], 'TD3')).toEqual([line1, line2]);
	});

	it('turns fillers read as letters in optional data into fillers', () => {
		const lines = td1(ERIKA);
		const misread = [lines[0], lines[1].slice(0, 18) + 'KLLLLKLLLLL' + lines[1][29], lines[2]];
		expect(repairFillers(misread, 'TD1')).toEqual(lines);
	});
});

describe('readMrz with requireAllChecks (lines read by OCR)', () => {
	it('does not vouch for a field whose own check passes when another check fails', () => {
		// Seen in the bench (td3-015): two O read for 0 in the document number cancel out in its
		// check digit (24 × (7 + 3) is 0 mod 10), and the composite check digit was misread.
		const [line1, line2] = td3({ ...ERIKA, documentNo: '0DY9FIF0R' });
		const misread = replaceAt(replaceAt(replaceAt(line2, 0, 'O'), 7, 'O'), 43, 'H');
		const typed = readMrz([line1, misread].join('\n'), today);
		const fromPhoto = readMrz([line1, misread].join('\n'), today, { requireAllChecks: true });
		if (!typed.ok || !fromPhoto.ok) throw new Error('not read');
		const documentNo = (reading: typeof typed.reading) =>
			reading.document.find((proposal) => proposal.key === 'document_no');
		expect(typed.reading.allChecksPass).toBe(false);
		expect(documentNo(typed.reading)).toMatchObject({ value: 'ODY9FIFOR', check: 'valid' });
		expect(documentNo(fromPhoto.reading)).toMatchObject({
			value: 'ODY9FIFOR',
			check: 'unconfirmed'
		});
		// Names have no check digit: they are not ticked in advance either.
		expect(fromPhoto.reading.personal.find((p) => p.key === 'last_name')?.check).toBe(
			'unconfirmed'
		);
	});

	it('does not vouch for a document number that reads as well with two look-alikes swapped', () => {
		// Seen in the bench (td3-015), once the composite digit was read right: 0DY9FIF0R read as
		// ODY9FIFOR passes the document number's check and the composite one alike.
		const [line1, line2] = td3({ ...ERIKA, documentNo: '0DY9FIF0R' });
		const misread = replaceAt(replaceAt(line2, 0, 'O'), 7, 'O');
		const typed = readMrz([line1, misread].join('\n'), today);
		const fromPhoto = readMrz([line1, misread].join('\n'), today, { requireAllChecks: true });
		if (!typed.ok || !fromPhoto.ok) throw new Error('not read');
		expect(fromPhoto.reading.allChecksPass).toBe(true);
		const documentNo = (reading: typeof typed.reading) =>
			reading.document.find((proposal) => proposal.key === 'document_no')?.check;
		expect(documentNo(typed.reading)).toBe('valid');
		expect(documentNo(fromPhoto.reading)).toBe('unconfirmed');
		// The true number reads the other way round just as well: it is flagged too.
		const truth = readMrz([line1, line2].join('\n'), today, { requireAllChecks: true });
		if (!truth.ok) throw new Error('not read');
		expect(documentNo(truth.reading)).toBe('unconfirmed');
	});

	it('keeps every check of a clean reading', () => {
		const result = readMrz(td3(ERIKA).join('\n'), today, { requireAllChecks: true });
		if (!result.ok) throw new Error('not read');
		expect(result.reading.document.every((proposal) => proposal.check === 'valid')).toBe(true);
	});
});
