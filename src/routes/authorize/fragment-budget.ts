/**
 * Whether a response_mode=fragment answer can carry the photos a request takes, known before
 * Authorize. The limit is the one delivery enforces (MAX_FRAGMENT_LENGTH, see
 * src/lib/passport/delivery.ts): every scan byte travels base64-encoded inside the payload, which
 * is encrypted and base64url-encoded again, so it costs at least 16/9 characters of the URL. Pure
 * arithmetic on what is stored, tested in Node; the exact check still runs at delivery.
 */
import { MAX_FRAGMENT_LENGTH } from '$lib/passport/delivery';
import { scanRules } from '$lib/passport/elements';
import type { ScopeElement } from '$lib/passport/scope';
import type { StoredElement } from '$lib/passport/types';

/** URL characters per scan byte: base64 (4/3) inside an encrypted payload base64url-encoded (4/3). */
export const FRAGMENT_CHARS_PER_SCAN_BYTE = 16 / 9;

/** The most scan bytes a fragment can carry, with nothing else in it: a bound no answer beats. */
export const FRAGMENT_SCAN_BUDGET_BYTES = Math.floor(
	MAX_FRAGMENT_LENGTH / FRAGMENT_CHARS_PER_SCAN_BYTE
);

export interface FragmentBudget {
	/**
	 * - `fits`: not a fragment request, no photos, or every photo is known and within the budget;
	 * - `at_risk`: photos are still to be added, whose size nobody knows yet;
	 * - `too_large`: the photos already stored for this answer cannot travel in a link.
	 */
	verdict: 'fits' | 'at_risk' | 'too_large';
	/** Bytes of the stored photos this answer would send. */
	knownBytes: number;
	/** Photos the answer needs that are not stored yet (a list counts as one). */
	missingPhotos: number;
	budgetBytes: number;
}

/** One chosen row: what the service asks for and what the vault holds of it. */
export interface ChosenElement {
	request: ScopeElement;
	element: StoredElement | undefined;
}

/** The photos the answer takes from one element, as build-response.ts picks them. */
function photosOf({ request, element }: ChosenElement): { known: number; missing: number } {
	const rules = scanRules(request.type);
	let known = 0;
	let missing = 0;
	const single = (part: 'front_side' | 'reverse_side' | 'selfie') => {
		const ref = element?.[part];
		if (ref) known += ref.size;
		else missing++;
	};
	const list = (part: 'files' | 'translation') => {
		const refs = element?.[part] ?? [];
		if (refs.length === 0) missing++;
		for (const ref of refs) known += ref.size;
	};
	if (rules.front_side) single('front_side');
	if (rules.reverse_side) single('reverse_side');
	if (rules.selfie && request.selfie) single('selfie');
	if (rules.files) list('files');
	if (rules.translation && request.translation) list('translation');
	return { known, missing };
}

export function fragmentBudget(options: {
	responseMode: 'form_post' | 'fragment';
	chosen: ChosenElement[];
}): FragmentBudget {
	let knownBytes = 0;
	let missingPhotos = 0;
	for (const row of options.chosen) {
		const { known, missing } = photosOf(row);
		knownBytes += known;
		missingPhotos += missing;
	}
	const budgetBytes = FRAGMENT_SCAN_BUDGET_BYTES;
	const verdict =
		options.responseMode !== 'fragment'
			? 'fits'
			: knownBytes > budgetBytes
				? 'too_large'
				: missingPhotos > 0
					? 'at_risk'
					: 'fits';
	return { verdict, knownBytes, missingPhotos, budgetBytes };
}
