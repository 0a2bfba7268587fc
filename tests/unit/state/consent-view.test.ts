import { describe, expect, it } from 'vitest';
import { parseScope, type Scope } from '$lib/passport/scope';
import { defaultChoices, groupScopeRows } from '$lib/passport/consent-view';

function scope(json: unknown): Scope {
	const result = parseScope(JSON.stringify(json));
	if (!result.ok) throw new Error(result.code);
	return result.scope;
}

describe('consent rows', () => {
	it('merges personal details with a single identity row and address with a single proof row', () => {
		const s = scope({
			v: 1,
			d: [
				{ _: 'pd', n: 1 },
				'ad',
				'pn',
				'em',
				{ _: [{ _: 'pp', s: 1 }, 'ip', 'dl', 'ic'] },
				{ _: ['ub', 'bs'] }
			]
		});
		expect(groupScopeRows(s)).toEqual([
			{ kind: 'identity', rows: [0, 4] },
			{ kind: 'address', rows: [1, 5] },
			{ kind: 'single', rows: [2] },
			{ kind: 'single', rows: [3] }
		]);
	});

	it('keeps rows apart when two identity documents are asked for', () => {
		const s = scope({ v: 1, d: ['pd', 'pp', 'dl', 'ad'] });
		expect(groupScopeRows(s).map((g) => g.kind)).toEqual(['single', 'single', 'single', 'single']);
	});

	it('preselects a complete option, then a stored one, then the first', () => {
		const s = scope({ v: 1, d: [{ _: ['pp', 'ic', 'dl'] }, 'em'] });
		expect(
			defaultChoices({
				scope: s,
				isStored: (t) => t === 'driver_license',
				isComplete: (_, t) => t === 'identity_card'
			})
		).toEqual(['identity_card', 'email']);
		expect(
			defaultChoices({ scope: s, isStored: (t) => t === 'driver_license', isComplete: () => false })
		).toEqual(['driver_license', 'email']);
		expect(defaultChoices({ scope: s, isStored: () => false, isComplete: () => false })).toEqual([
			'passport',
			'email'
		]);
	});
});
