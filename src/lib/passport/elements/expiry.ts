/**
 * Whether an ID document is still valid, for the warnings on the home screen and the consent screen.
 */
import type { StoredElement } from '../types.js';
import { isIdDocumentType } from '../types.js';
import { daysBetween, localCalendarDate, parseDotDate } from './dates.js';

/** "Expiring" starts this many days before the expiry date. */
export const EXPIRING_WITHIN_DAYS = 30;

export type ExpiryStatus = 'ok' | 'expiring' | 'expired' | 'none';

/**
 * 'none' when the element has no expiry date (not an ID document, no date, or an unreadable one);
 * 'expired' from the day after the expiry date; 'expiring' from 30 days before it through the day
 * itself (the document is still valid that day); 'ok' before that.
 */
export function expiryStatus(element: StoredElement | undefined, today: Date): ExpiryStatus {
	if (!element || !isIdDocumentType(element.type) || !element.data) return 'none';
	const value = (element.data as { expiry_date?: unknown }).expiry_date;
	const expiry = typeof value === 'string' ? parseDotDate(value.trim()) : null;
	if (!expiry) return 'none';
	const daysLeft = daysBetween(localCalendarDate(today), expiry);
	if (daysLeft < 0) return 'expired';
	return daysLeft <= EXPIRING_WITHIN_DAYS ? 'expiring' : 'ok';
}
