import { describe, expect, it } from 'vitest';
import { mrzLines, nameCase, readMrz, type MrzReading } from '$lib/passport/mrz';
import {
	ERIKA,
	checkDigit,
	replaceAt,
	td1,
	td2,
	td3,
	type MrzData
} from '../../fixtures/mrz/mrz-lines.js';

const today = { year: 2026, month: 12, day: 2 };

function read(lines: string[]): MrzReading {
	const result = readMrz(lines.join('\n'), today);
	if (!result.ok) throw new Error(`not read: ${result.error}`);
	return result.reading;
}

const byKey = (reading: MrzReading) =>
	Object.fromEntries(
		[...reading.document, ...reading.personal].map((proposal) => [proposal.key, proposal])
	);

describe('readMrz', () => {
	it('proposes every field of a TD3 passport, each with its check', () => {
		const reading = read(td3(ERIKA));
		expect(reading.format).toBe('TD3');
		expect(reading.allChecksPass).toBe(true);
		expect(reading.document).toEqual([
			{ key: 'document_no', value: 'C01X00T47', check: 'valid' },
			{ key: 'expiry_date', value: '28.02.2031', check: 'valid' }
		]);
		expect(reading.personal).toEqual([
			{ key: 'first_name', value: 'Erika', check: 'none' },
			{ key: 'middle_name', value: '', check: 'none' },
			{ key: 'last_name', value: 'Mustermann', check: 'none' },
			{ key: 'birth_date', value: '12.08.1964', check: 'valid' },
			{ key: 'gender', value: 'female', check: 'none' },
			{ key: 'country_code', value: 'DE', check: 'none' }
		]);
	});

	it('reads the ICAO 9303 specimen passport (its state UTO is no country)', () => {
		const reading = read([
			'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<',
			'L898902C36UTO7408122F1204159ZE184226B<<<<<10'
		]);
		const fields = byKey(reading);
		expect(fields.document_no).toMatchObject({ value: 'L898902C3', check: 'valid' });
		expect(fields.expiry_date).toMatchObject({ value: '15.04.2012', check: 'valid' });
		expect(fields.birth_date).toMatchObject({ value: '12.08.1974', check: 'valid' });
		expect(fields.first_name.value).toBe('Anna');
		expect(fields.middle_name.value).toBe('Maria');
		expect(fields.last_name.value).toBe('Eriksson');
		expect(fields.country_code).toEqual({
			key: 'country_code',
			value: '',
			check: 'none',
			problem: 'unknown'
		});
	});

	it('reads TD1 and TD2 ID cards', () => {
		const data: MrzData = {
			...ERIKA,
			issuer: 'FRA',
			nationality: 'FRA',
			sex: 'M',
			lastName: 'DE LA CRUZ',
			givenNames: 'JEAN PIERRE'
		};
		for (const [format, lines] of [
			['TD1', td1(data)],
			['TD2', td2(data)]
		] as const) {
			const reading = read(lines);
			expect(reading.format, format).toBe(format);
			expect(reading.allChecksPass, format).toBe(true);
			const fields = byKey(reading);
			expect(fields.document_no, format).toMatchObject({ value: 'C01X00T47', check: 'valid' });
			expect(fields.last_name.value, format).toBe('De La Cruz');
			expect(fields.first_name.value, format).toBe('Jean');
			expect(fields.middle_name.value, format).toBe('Pierre');
			expect(fields.gender.value, format).toBe('male');
			expect(fields.country_code.value, format).toBe('FR');
			expect(fields.birth_date, format).toMatchObject({ value: '12.08.1964', check: 'valid' });
		}
	});

	it('reads a TD1 document number that overflows into the optional data', () => {
		// ICAO 9303 part 5: '<' in the check digit place, the number goes on in the optional data
		// and its check digit follows it there.
		const reading = read([
			'I<UTOD23145890<1233<<<<<<<<<<<',
			'7408122F1204159UTO<<<<<<<<<<<2',
			'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'
		]);
		expect(checkDigit('D23145890123')).toBe('3');
		expect(reading.corrections).toEqual([]);
		expect(byKey(reading).document_no).toEqual({
			key: 'document_no',
			value: 'D23145890123',
			check: 'valid'
		});
	});

	it('flags the one field whose check digit fails, and only that one', () => {
		const [line1, line2] = td3(ERIKA);
		// Document number C01X00T47 -> C01X00T48: its check digit no longer matches.
		const reading = read([line1, replaceAt(line2, 8, '8')]);
		const fields = byKey(reading);
		expect(reading.allChecksPass).toBe(false);
		expect(fields.document_no).toMatchObject({ value: 'C01X00T48', check: 'invalid' });
		expect(fields.expiry_date.check).toBe('valid');
		expect(fields.birth_date.check).toBe('valid');
	});

	it('flags a wrong birth date digit', () => {
		const [line1, line2] = td3(ERIKA);
		const reading = read([line1, replaceAt(line2, 18, '3')]);
		expect(byKey(reading).birth_date).toMatchObject({ value: '13.08.1964', check: 'invalid' });
		expect(byKey(reading).document_no.check).toBe('valid');
	});

	it('marks a date that does not exist unreadable rather than proposing it', () => {
		const [line1, line2] = td3({ ...ERIKA, birth: '641312' });
		expect(byKey(read([line1, line2])).birth_date).toMatchObject({
			value: '',
			problem: 'unreadable'
		});
	});

	it('proposes no gender for <, and no country for a stateless person', () => {
		const fields = byKey(read(td3({ ...ERIKA, sex: '<', nationality: 'XXA' })));
		expect(fields.gender).toMatchObject({ value: '', problem: 'unspecified' });
		expect(fields.country_code).toMatchObject({ value: '', problem: 'stateless' });
	});

	it('warns that a name filling its zone to the end may be cut short', () => {
		const long = {
			...ERIKA,
			lastName: 'WOLFESCHLEGELSTEINHAUSENBERGERDORFF',
			givenNames: 'HUBERT'
		};
		const fields = byKey(read(td3(long)));
		expect(fields.first_name).toMatchObject({ value: 'Hu', problem: 'truncated' });
		expect(fields.last_name.problem).toBeUndefined();
		expect(byKey(read(td3(ERIKA))).first_name.problem).toBeUndefined();
	});

	it('accepts lines typed in lower case, with spaces and blank lines', () => {
		const [line1, line2] = td3(ERIKA);
		const typed = `\n  ${line1.toLowerCase()}  \n\n${line2.slice(0, 10)} ${line2.slice(10)}\n`;
		expect(mrzLines(typed)).toEqual([line1, line2]);
		expect(readMrz(typed, today).ok).toBe(true);
	});

	it('says why text is not an MRZ', () => {
		const [line1, line2] = td3(ERIKA);
		expect(readMrz('  \n ', today)).toEqual({ ok: false, error: 'empty' });
		expect(readMrz('hello, world', today)).toEqual({ ok: false, error: 'invalid_chars' });
		expect(readMrz('HELLO<WORLD', today)).toEqual({ ok: false, error: 'wrong_shape' });
		expect(readMrz(line1, today)).toEqual({ ok: false, error: 'wrong_shape' });
		expect(readMrz(`${line1}\n${line2.slice(1)}`, today)).toEqual({
			ok: false,
			error: 'wrong_shape'
		});
		// The French 2×36 ID card is its own format, not TD2.
		const french = ['IDFRADOUEL<<<<<<<<<<<<<<<<<<<<932013', '0506932020438CHRISTIANE<<NI2906209F3'];
		expect(readMrz(french.join('\n'), today)).toEqual({ ok: false, error: 'unsupported' });
	});
});

describe('nameCase', () => {
	it('writes MRZ names the way people type them', () => {
		expect(nameCase('ERIKSSON')).toBe('Eriksson');
		expect(nameCase('ANNA MARIA')).toBe('Anna Maria');
		expect(nameCase('')).toBe('');
	});
});
