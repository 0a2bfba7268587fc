/**
 * The pieces of an element's one-line summary. Values the user typed come back verbatim; dates,
 * countries and counts come back as data so each screen words and formats them in its language.
 * An empty list means there is nothing to summarize: the screen shows "Add …" (el_add_<type>).
 */
import type {
	IdDocumentData,
	PersonalDetails,
	ResidentialAddress,
	StoredElement
} from '../types.js';
import { isAddressDocumentType, isIdDocumentType } from '../types.js';
import { formatPhoneNumber } from './phone.js';

export type SummaryPart =
	/** Text the user entered: a name, a document number, a street, a phone number, an e-mail. */
	| { kind: 'text'; text: string }
	/** DD.MM.YYYY */
	| { kind: 'birth_date'; date: string }
	/** DD.MM.YYYY; only for documents that have an expiry date */
	| { kind: 'expiry_date'; date: string }
	| { kind: 'country'; code: string }
	/** How many scans a proof of address holds (or an ID document with scans but no number). */
	| { kind: 'file_count'; count: number };

const text = (value: string | undefined): SummaryPart[] => {
	const trimmed = value?.trim() ?? '';
	return trimmed ? [{ kind: 'text', text: trimmed }] : [];
};

function summarizePersonalDetails(data: Partial<PersonalDetails>): SummaryPart[] {
	const name = [data.first_name, data.middle_name, data.last_name]
		.map((part) => part?.trim())
		.filter(Boolean)
		.join(' ');
	return [
		...text(name),
		...(data.birth_date ? [{ kind: 'birth_date', date: data.birth_date } as const] : [])
	];
}

function summarizeIdDocument(data: Partial<IdDocumentData>): SummaryPart[] {
	return [
		...text(data.document_no),
		...(data.expiry_date ? [{ kind: 'expiry_date', date: data.expiry_date } as const] : [])
	];
}

function summarizeAddress(data: Partial<ResidentialAddress>): SummaryPart[] {
	return [
		...text(data.street_line1),
		...text(data.city),
		...(data.country_code ? [{ kind: 'country', code: data.country_code } as const] : [])
	];
}

export function summarize(element: StoredElement | undefined): SummaryPart[] {
	if (!element) return [];
	const { type } = element;
	if (type === 'phone_number') return text(formatPhoneNumber(element.phone_number ?? ''));
	if (type === 'email') return text(element.email);
	if (isAddressDocumentType(type)) {
		const count = element.files?.length ?? 0;
		return count > 0 ? [{ kind: 'file_count', count }] : [];
	}
	const data = element.data ?? {};
	if (type === 'personal_details')
		return summarizePersonalDetails(data as Partial<PersonalDetails>);
	if (type === 'address') return summarizeAddress(data as Partial<ResidentialAddress>);
	if (isIdDocumentType(type)) {
		const parts = summarizeIdDocument(data as Partial<IdDocumentData>);
		// Scans taken but no number typed yet: still say something was added.
		const scans = [element.front_side, element.reverse_side, element.selfie].filter(Boolean).length;
		return parts.length > 0 || scans === 0 ? parts : [{ kind: 'file_count', count: scans }];
	}
	return [];
}
