import { describe, expect, it } from 'vitest';
import { correctLookAlikes, readMrz, type MrzReading } from '$lib/passport/mrz';
import { ERIKA, checkDigit, replaceAt, td1, td3 } from '../../fixtures/mrz/mrz-lines.js';

const today = { year: 2026, month: 12, day: 2 };

function fields(lines: string[]) {
	const result = readMrz(lines.join('\n'), today);
	if (!result.ok) throw new Error(`not read: ${result.error}`);
	const reading: MrzReading = result.reading;
	return Object.fromEntries(
		[...reading.document, ...reading.personal].map((proposal) => [proposal.key, proposal])
	);
}

describe('look-alike correction', () => {
	it('leaves valid lines alone', () => {
		const lines = td3(ERIKA);
		expect(correctLookAlikes(lines, 'TD3')).toEqual({ lines, corrections: [] });
		const specimen = [
			'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<',
			'L898902C36UTO7408122F1204159ZE184226B<<<<<10'
		];
		expect(correctLookAlikes(specimen, 'TD3').corrections).toEqual([]);
	});

	it('reads letters in a date as the digits they look like, and flags the date', () => {
		const [line1, line2] = td3(ERIKA);
		// Birth date 640812 typed 64O812, and expiry 310228 typed 3IO228.
		const typed = replaceAt(replaceAt(replaceAt(line2, 15, 'O'), 22, 'I'), 23, 'O');
		const read = fields([line1, typed]);
		expect(read.birth_date).toMatchObject({ value: '12.08.1964', check: 'corrected' });
		expect(read.expiry_date).toMatchObject({ value: '28.02.2031', check: 'corrected' });
		expect(read.document_no.check).toBe('valid');
	});

	it('reads digits in a name as the letters they look like', () => {
		const [line1, line2] = td3({ ...ERIKA, givenNames: 'BORIS' });
		const typed = replaceAt(replaceAt(line1, 17, '8'), 18, '0');
		expect(typed).toContain('<<80RIS');
		const read = fields([typed, line2]);
		expect(read.first_name).toMatchObject({ value: 'Boris', check: 'corrected' });
		expect(read.last_name.check).toBe('none');
	});

	it('lets the check digit choose between O and 0 in a document number', () => {
		const [line1, line2] = td3(ERIKA);
		// C01X00T47 read as CO1X00T47: only one look-alike swap makes the check digit pass.
		const read = fields([line1, replaceAt(line2, 1, 'O')]);
		expect(read.document_no).toMatchObject({ value: 'C01X00T47', check: 'corrected' });
	});

	it('never turns one misread look-alike into another value with a passing check digit', () => {
		const swap: Record<string, string> = { '0': 'O', O: '0', '1': 'I', I: '1', '5': 'S', S: '5' };
		Object.assign(swap, { '8': 'B', B: '8' });
		// Document numbers full of look-alikes, in TD3 and TD1.
		const numbers = ['O1I5S8B00', 'B8S5I1O0X', '100OO1II5', 'SS55BB880', 'A0B1C5D8E'];
		let tried = 0;
		let corrected = 0;
		for (const documentNo of numbers) {
			for (const make of [td3, td1]) {
				const lines = make({ ...ERIKA, documentNo });
				const line = make === td3 ? 1 : 0;
				const start = make === td3 ? 0 : 5;
				for (let index = 0; index < 9; index++) {
					const misread = swap[documentNo[index]];
					if (!misread) continue;
					const damaged = [...lines];
					damaged[line] = replaceAt(lines[line], start + index, misread);
					const proposal = fields(damaged).document_no;
					tried++;
					if (proposal.check !== 'invalid') {
						corrected++;
						expect(proposal, `${documentNo} at ${index}`).toMatchObject({
							value: documentNo,
							check: 'corrected'
						});
					}
				}
			}
		}
		expect(tried).toBeGreaterThan(50);
		// Not vacuous: a good share is repaired (27 of 79 when written), the rest stays flagged.
		expect(corrected).toBeGreaterThan(10);
	});

	it('keeps a wrong digit that no look-alike explains flagged', () => {
		const [line1, line2] = td3({ ...ERIKA, documentNo: 'X2347T6A' });
		expect(checkDigit('X2347T6A<')).toBe(line2[9]);
		const read = fields([line1, replaceAt(line2, 1, '3')]);
		expect(read.document_no).toMatchObject({ value: 'X3347T6A', check: 'invalid' });
	});
});
