/**
 * An element's one-line summary in the user's language, from the parts summarize() gives.
 */
import { m } from '$lib/paraglide/messages.js';
import { countryName, parseDotDate, summarize } from '$lib/passport/elements';
import { isIdDocumentType, type StoredElement } from '$lib/passport/types';
import type { Locale } from '$lib/state/settings.svelte';

/** "1 Feb 2031" / "1 févr. 2031" for a DD.MM.YYYY date; the text itself when it is not one. */
export function formatDotDate(text: string, locale: Locale): string {
	const date = parseDotDate(text);
	if (!date) return text;
	// A calendar day, not an instant: formatted in UTC so no time zone can move it.
	const instant = new Date(0);
	instant.setUTCFullYear(date.year, date.month - 1, date.day);
	return new Intl.DateTimeFormat(locale, {
		day: 'numeric',
		month: 'short',
		year: 'numeric',
		timeZone: 'UTC'
	}).format(instant);
}

/** '' when there is nothing to summarize: the screen then offers to add the element. */
export function summaryText(element: StoredElement | undefined, locale: Locale): string {
	const parts = summarize(element).map((part) => {
		switch (part.kind) {
			case 'text':
				return part.text;
			case 'birth_date':
				return m.el_summary_born({ date: formatDotDate(part.date, locale) });
			case 'expiry_date':
				return m.el_summary_expires({ date: formatDotDate(part.date, locale) });
			case 'country':
				return countryName(part.code, locale);
			case 'file_count':
				return m.el_summary_scans({ count: part.count });
		}
	});
	const data = element?.data as { document_no?: string; expiry_date?: string } | undefined;
	if (element && isIdDocumentType(element.type) && data?.document_no && !data.expiry_date) {
		parts.push(m.el_summary_no_expiry());
	}
	return parts.join(', ');
}
