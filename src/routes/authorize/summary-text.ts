/** One line of text for an element, from the parts elements/summary.ts gives. */
import { m } from '$lib/paraglide/messages.js';
import { summarize } from '$lib/passport/elements/summary';
import { countryName } from '$lib/passport/elements/countries';
import type { StoredElement } from '$lib/passport/types';

export function summaryText(element: StoredElement | undefined, locale: 'en' | 'fr'): string {
	return summarize(element)
		.map((part) => {
			switch (part.kind) {
				case 'text':
					return part.text;
				case 'birth_date':
					return m.el_summary_born({ date: part.date });
				case 'expiry_date':
					return m.el_summary_expires({ date: part.date });
				case 'country':
					return countryName(part.code, locale);
				case 'file_count':
					return m.el_summary_scans({ count: part.count });
			}
		})
		.join(' · ');
}
