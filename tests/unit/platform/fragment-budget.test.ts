import { describe, expect, it } from 'vitest';
import { MAX_FRAGMENT_LENGTH } from '$lib/passport/delivery';
import type { ScopeElement } from '$lib/passport/scope';
import type { ScanRef, StoredElement } from '$lib/passport/types';
import {
	FRAGMENT_SCAN_BUDGET_BYTES,
	fragmentBudget
} from '../../../src/routes/authorize/fragment-budget';

const ask = (type: ScopeElement['type'], flags: Partial<ScopeElement> = {}): ScopeElement => ({
	type,
	selfie: false,
	translation: false,
	native_names: false,
	...flags
});
const scan = (size: number): ScanRef => ({ id: `s${size}`, size, date: 0, width: 1, height: 1 });

describe('fragmentBudget', () => {
	it('is the limit delivery enforces, at 16/9 URL characters per scan byte', () => {
		expect(FRAGMENT_SCAN_BUDGET_BYTES).toBe(Math.floor((MAX_FRAGMENT_LENGTH * 9) / 16));
	});

	it('never worries about form delivery, nor a fragment answer without photos', () => {
		const passport = { request: ask('passport', { selfie: true }), element: undefined };
		expect(fragmentBudget({ responseMode: 'form_post', chosen: [passport] }).verdict).toBe('fits');
		const contact = { request: ask('email'), element: undefined };
		expect(fragmentBudget({ responseMode: 'fragment', chosen: [contact] }).verdict).toBe('fits');
	});

	it('warns before anything is filled in when photos are asked for', () => {
		const budget = fragmentBudget({
			responseMode: 'fragment',
			chosen: [{ request: ask('identity_card', { selfie: true }), element: undefined }]
		});
		expect(budget).toMatchObject({ verdict: 'at_risk', missingPhotos: 3, knownBytes: 0 });
	});

	it('counts only the parts the request takes, and refuses what cannot fit', () => {
		const passport: StoredElement = {
			type: 'passport',
			front_side: scan(500_000),
			selfie: scan(600_000),
			translation: [scan(100_000)],
			updatedAt: 0
		};
		// Without selfie or translation asked for, only the front side travels.
		expect(
			fragmentBudget({
				responseMode: 'fragment',
				chosen: [{ request: ask('passport'), element: passport }]
			})
		).toMatchObject({ verdict: 'fits', knownBytes: 500_000, missingPhotos: 0 });
		expect(
			fragmentBudget({
				responseMode: 'fragment',
				chosen: [{ request: ask('passport', { selfie: true }), element: passport }]
			})
		).toMatchObject({ verdict: 'too_large', knownBytes: 1_100_000 });
	});
});
