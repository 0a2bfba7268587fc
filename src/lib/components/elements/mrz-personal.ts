/**
 * The personal-details half of an MRZ reading: which proposals differ from what is stored (the
 * person confirms each one) and the element a save writes with the confirmed ones. Types only from
 * $lib/passport/mrz, so the parser stays out of the editor's bundle until the person asks for it.
 */
import { emptyData, normalizeData } from '$lib/passport/elements';
import type { PersonalKey, Proposal } from '$lib/passport/mrz';
import type { PersonalDetails } from '$lib/passport/types';
import type { ElementInput } from '$lib/state/element-records';

export interface PersonalRow {
	proposal: Proposal<PersonalKey>;
	stored: string;
	/** Whether the box starts ticked: only to fill an empty field with a value nothing doubts. */
	preselected: boolean;
}

/** Names compare without case (the MRZ is in capitals) or extra spaces. */
function same(key: PersonalKey, a: string, b: string): boolean {
	if (key === 'first_name' || key === 'middle_name' || key === 'last_name') {
		const simple = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();
		return simple(a) === simple(b);
	}
	return a.trim().toUpperCase() === b.trim().toUpperCase();
}

/**
 * The proposals worth asking about: those with a value that differs from the stored one.
 * Given names stored as first "Anna Maria" and middle "" match the MRZ's "ANNA MARIA" however the
 * person split them, so a different split is not proposed.
 */
export function personalRows(
	stored: Partial<PersonalDetails> | undefined,
	proposals: readonly Proposal<PersonalKey>[]
): PersonalRow[] {
	const current = (key: PersonalKey) => (stored?.[key] as string | undefined) ?? '';
	const proposed = (key: PersonalKey) => proposals.find((p) => p.key === key)?.value ?? '';
	const givenStored = `${current('first_name')} ${current('middle_name')}`;
	const givenProposed = `${proposed('first_name')} ${proposed('middle_name')}`;
	const givenMatch = same('first_name', givenStored, givenProposed);
	return proposals
		.filter((proposal) => proposal.value !== '')
		.filter((proposal) => !(givenMatch && ['first_name', 'middle_name'].includes(proposal.key)))
		.filter((proposal) => !same(proposal.key, current(proposal.key), proposal.value))
		.map((proposal) => ({
			proposal,
			stored: current(proposal.key),
			preselected:
				current(proposal.key) === '' &&
				(proposal.check === 'valid' || proposal.check === 'none') &&
				!proposal.problem
		}));
}

/** Personal details with the confirmed values in place; every other field as stored. */
export function personalDetailsInput(
	stored: Partial<PersonalDetails> | undefined,
	confirmed: Partial<Record<PersonalKey, string>>
): ElementInput {
	return {
		type: 'personal_details',
		data: normalizeData('personal_details', {
			...emptyData('personal_details'),
			...stored,
			...confirmed
		} as PersonalDetails)
	};
}
