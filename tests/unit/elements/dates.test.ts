import { describe, expect, it } from 'vitest';
import {
	compareDates,
	daysBetween,
	dotDateToIso,
	isoDateToDot,
	localCalendarDate,
	parseDotDate,
	parseIsoDate
} from '$lib/passport/elements';

describe('parseDotDate', () => {
	it('reads a real DD.MM.YYYY date', () => {
		expect(parseDotDate('14.07.1989')).toEqual({ year: 1989, month: 7, day: 14 });
		expect(parseDotDate('31.12.2030')).toEqual({ year: 2030, month: 12, day: 31 });
	});

	it('accepts 29 February only in leap years', () => {
		expect(parseDotDate('29.02.2024')).toEqual({ year: 2024, month: 2, day: 29 });
		expect(parseDotDate('29.02.2000')).not.toBeNull();
		expect(parseDotDate('29.02.2023')).toBeNull();
		// Centuries are leap years only when divisible by 400.
		expect(parseDotDate('29.02.1900')).toBeNull();
	});

	it('refuses days a month does not have and malformed text', () => {
		for (const text of [
			'31.04.2024',
			'31.06.2024',
			'30.02.2024',
			'00.01.2024',
			'01.13.2024',
			'01.00.2024',
			'1.1.2024',
			'01/01/2024',
			'2024-01-01',
			'01.01.24',
			' 01.01.2024',
			'aa.bb.cccc',
			''
		]) {
			expect(parseDotDate(text), text).toBeNull();
		}
	});
});

describe('DD.MM.YYYY <-> ISO for <input type=date>', () => {
	it('converts both ways', () => {
		expect(dotDateToIso('05.03.1990')).toBe('1990-03-05');
		expect(isoDateToDot('1990-03-05')).toBe('05.03.1990');
		expect(isoDateToDot(dotDateToIso('29.02.2024'))).toBe('29.02.2024');
	});

	it('gives an empty string for anything that is not a real date', () => {
		expect(dotDateToIso('')).toBe('');
		expect(dotDateToIso('31.04.2024')).toBe('');
		expect(isoDateToDot('')).toBe('');
		expect(isoDateToDot('2023-02-29')).toBe('');
		expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
	});
});

describe('calendar arithmetic', () => {
	it('compares and counts days across leap years and month ends', () => {
		const a = { year: 2024, month: 2, day: 28 };
		const b = { year: 2024, month: 3, day: 1 };
		expect(compareDates(a, b)).toBeLessThan(0);
		expect(compareDates(b, a)).toBeGreaterThan(0);
		expect(compareDates(a, { ...a })).toBe(0);
		expect(daysBetween(a, b)).toBe(2);
		expect(daysBetween(b, a)).toBe(-2);
		expect(
			daysBetween({ year: 2023, month: 12, day: 31 }, { year: 2024, month: 12, day: 31 })
		).toBe(366);
	});

	it('takes the local day of an instant', () => {
		expect(localCalendarDate(new Date(2024, 1, 29, 23, 59))).toEqual({
			year: 2024,
			month: 2,
			day: 29
		});
	});
});
