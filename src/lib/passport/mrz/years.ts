/**
 * The MRZ writes dates as YYMMDD. The century is chosen from what the date is:
 * - a birth date is in the past: the latest year ending in YY that puts the date on or before
 *   today (born in '25 is 2025 in 2026; '74 is 1974). A person over 100 reads 100 years too young:
 *   the MRZ cannot tell, and the person confirms the proposal.
 * - an expiry date lies in a window of 100 years around today, from 50 years back (an old expired
 *   document) to 49 years ahead (no document is valid that long): in 2026, '12 is 2012, '36 is
 *   2036, '80 is 1980.
 */
import { compareDates, isRealDate, type CalendarDate } from '../elements/dates.js';

const YYMMDD = /^(\d{2})(\d{2})(\d{2})$/;

function split(text: string): { yy: number; month: number; day: number } | null {
	const match = YYMMDD.exec(text);
	if (!match) return null;
	return { yy: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

export function birthDateFromMrz(text: string, today: CalendarDate): CalendarDate | null {
	const parts = split(text);
	if (!parts) return null;
	const century = Math.floor(today.year / 100) * 100;
	let date = { year: century + parts.yy, month: parts.month, day: parts.day };
	if (compareDates(date, today) > 0) date = { ...date, year: date.year - 100 };
	return isRealDate(date) ? date : null;
}

export function expiryDateFromMrz(text: string, today: CalendarDate): CalendarDate | null {
	const parts = split(text);
	if (!parts) return null;
	const earliest = today.year - 50;
	// The one year ending in YY within [earliest, earliest + 99].
	const year = earliest + ((((parts.yy - earliest) % 100) + 100) % 100);
	const date = { year, month: parts.month, day: parts.day };
	return isRealDate(date) ? date : null;
}
