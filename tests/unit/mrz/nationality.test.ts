import { describe, expect, it } from 'vitest';
import { icaoNationality } from '$lib/passport/mrz';

describe('icaoNationality', () => {
	it('maps ISO alpha-3 codes, as the MRZ writes them, to alpha-2', () => {
		expect(icaoNationality('FRA')).toEqual({ code: 'FR' });
		expect(icaoNationality('UKR')).toEqual({ code: 'UA' });
		expect(icaoNationality('usa')).toEqual({ code: 'US' });
	});

	it('reads Germany as D, padded with fillers or not', () => {
		expect(icaoNationality('D<<')).toEqual({ code: 'DE' });
		expect(icaoNationality('D')).toEqual({ code: 'DE' });
		expect(icaoNationality('DEU')).toEqual({ code: 'DE' });
	});

	it('maps every British nationality class to GB', () => {
		for (const code of ['GBR', 'GBD', 'GBN', 'GBO', 'GBP', 'GBS']) {
			expect(icaoNationality(code), code).toEqual({ code: 'GB' });
		}
	});

	it('maps Kosovo (RKS, XXK) to XK', () => {
		expect(icaoNationality('RKS')).toEqual({ code: 'XK' });
		expect(icaoNationality('XXK')).toEqual({ code: 'XK' });
	});

	it('proposes no country for stateless people, refugees and unspecified nationality', () => {
		expect(icaoNationality('XXA')).toEqual({ code: '', reason: 'stateless' });
		expect(icaoNationality('XXB')).toEqual({ code: '', reason: 'refugee' });
		expect(icaoNationality('XXC')).toEqual({ code: '', reason: 'refugee' });
		expect(icaoNationality('XXX')).toEqual({ code: '', reason: 'unspecified' });
	});

	it('proposes no country for the UN, the EU and other organisations', () => {
		for (const code of ['UNO', 'UNA', 'UNK', 'EUE', 'XPO', 'XOM', 'XCC']) {
			expect(icaoNationality(code), code).toEqual({ code: '', reason: 'organisation' });
		}
	});

	it('calls misreads and the specimen state UTO unknown', () => {
		for (const code of ['UTO', 'ZZZ', 'FR', '', '<<<', 'F1A']) {
			expect(icaoNationality(code), code).toEqual({ code: '', reason: 'unknown' });
		}
	});
});
