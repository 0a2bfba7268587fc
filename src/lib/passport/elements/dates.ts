/**
 * Calendar dates as Telegram Passport writes them (DD.MM.YYYY) and as `<input type="date">` wants
 * them (ISO yyyy-mm-dd). Dates here are days, not instants: no time zone ever enters, so a birth
 * date cannot shift by one when the phone travels.
 */

export interface CalendarDate {
	year: number;
	/** 1..12 */
	month: number;
	/** 1..31 */
	day: number;
}

const DOT_DATE = /^(\d{2})\.(\d{2})\.(\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
	return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
	if (month === 2) return isLeapYear(year) ? 29 : 28;
	return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isRealDate({ year, month, day }: CalendarDate): boolean {
	return (
		Number.isInteger(year) &&
		Number.isInteger(month) &&
		Number.isInteger(day) &&
		year >= 1 &&
		year <= 9999 &&
		month >= 1 &&
		month <= 12 &&
		day >= 1 &&
		day <= daysInMonth(year, month)
	);
}

function checked(date: CalendarDate): CalendarDate | null {
	return isRealDate(date) ? date : null;
}

/** Parses DD.MM.YYYY; null unless it is a day that exists (29.02 only in leap years). */
export function parseDotDate(text: string): CalendarDate | null {
	const match = DOT_DATE.exec(text);
	if (!match) return null;
	return checked({ day: Number(match[1]), month: Number(match[2]), year: Number(match[3]) });
}

/** Parses yyyy-mm-dd; null unless it is a day that exists. */
export function parseIsoDate(text: string): CalendarDate | null {
	const match = ISO_DATE.exec(text);
	if (!match) return null;
	return checked({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) });
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

export function formatDotDate({ year, month, day }: CalendarDate): string {
	return `${pad(day, 2)}.${pad(month, 2)}.${pad(year, 4)}`;
}

export function formatIsoDate({ year, month, day }: CalendarDate): string {
	return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** DD.MM.YYYY -> yyyy-mm-dd for `<input type="date">`; '' when the text is not a real date. */
export function dotDateToIso(text: string): string {
	const date = parseDotDate(text);
	return date ? formatIsoDate(date) : '';
}

/** yyyy-mm-dd (what `<input type="date">` gives) -> DD.MM.YYYY; '' when not a real date. */
export function isoDateToDot(text: string): string {
	const date = parseIsoDate(text);
	return date ? formatDotDate(date) : '';
}

/** The day `instant` falls on in the device's time zone: "today" as the user sees it. */
export function localCalendarDate(instant: Date): CalendarDate {
	return { year: instant.getFullYear(), month: instant.getMonth() + 1, day: instant.getDate() };
}

/** Negative when a is earlier, 0 on the same day, positive when later. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
	return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
	return (utcMidnight(to) - utcMidnight(from)) / 86_400_000;
}

// UTC has no daylight-saving gaps, so two midnights are always whole days apart.
// setUTCFullYear rather than Date.UTC(year, …), which maps years 0..99 to 1900..1999.
function utcMidnight({ year, month, day }: CalendarDate): number {
	return new Date(0).setUTCFullYear(year, month - 1, day);
}
