import { describe, expect, it } from 'vitest';
import { readMrz, type PersonalKey, type Proposal } from '$lib/passport/mrz';
import {
	personalDetailsInput,
	personalRows
} from '../../../src/lib/components/elements/mrz-personal';
import { td3 } from '../../fixtures/mrz/mrz-lines.js';

const today = { year: 2026, month: 12, day: 2 };

function proposals(): Proposal<PersonalKey>[] {
	const lines = td3({
		documentNo: 'C01X00T47',
		nationality: 'D',
		birth: '640812',
		sex: 'F',
		expiry: '310228',
		lastName: 'MUSTERMANN',
		givenNames: 'ERIKA ANNA'
	});
	const result = readMrz(lines.join('\n'), today);
	if (!result.ok) throw new Error(result.error);
	return result.reading.personal;
}

const keys = (rows: { proposal: { key: string } }[]) => rows.map((row) => row.proposal.key);

describe('personalRows', () => {
	it('proposes every readable field when nothing is stored, ticked in advance', () => {
		const rows = personalRows(undefined, proposals());
		expect(keys(rows)).toEqual([
			'first_name',
			'middle_name',
			'last_name',
			'birth_date',
			'gender',
			'country_code'
		]);
		expect(rows.every((row) => row.preselected && row.stored === '')).toBe(true);
	});

	it('asks only about differences, not ticked when something is stored', () => {
		const rows = personalRows(
			{
				first_name: 'Erika',
				middle_name: 'Anna',
				last_name: 'Musterfrau',
				birth_date: '12.08.1964',
				gender: 'female',
				country_code: 'AT'
			},
			proposals()
		);
		expect(
			rows.map((row) => [row.proposal.key, row.stored, row.proposal.value, row.preselected])
		).toEqual([
			['last_name', 'Musterfrau', 'Mustermann', false],
			['country_code', 'AT', 'DE', false]
		]);
	});

	it('keeps the person’s split of given names and their capitals', () => {
		const rows = personalRows(
			{ first_name: 'erika anna', middle_name: '', last_name: 'MUSTERMANN' },
			proposals()
		);
		expect(keys(rows)).not.toContain('first_name');
		expect(keys(rows)).not.toContain('middle_name');
		expect(keys(rows)).not.toContain('last_name');
	});

	it('does not tick a value whose check digit failed', () => {
		const flagged = proposals().map((proposal) =>
			proposal.key === 'birth_date' ? { ...proposal, check: 'invalid' as const } : proposal
		);
		const row = personalRows(undefined, flagged).find((r) => r.proposal.key === 'birth_date');
		expect(row?.preselected).toBe(false);
	});
});

describe('personalDetailsInput', () => {
	it('writes the confirmed values over the stored ones and leaves native names alone', () => {
		const input = personalDetailsInput(
			{
				first_name: 'Erika',
				last_name: 'Musterfrau',
				residence_country_code: 'RU',
				first_name_native: 'Эрика',
				last_name_native: 'Мустерфрау'
			},
			{ last_name: 'Mustermann', country_code: 'DE' }
		);
		expect(input).toEqual({
			type: 'personal_details',
			data: {
				first_name: 'Erika',
				middle_name: '',
				last_name: 'Mustermann',
				birth_date: '',
				gender: '',
				country_code: 'DE',
				residence_country_code: 'RU',
				first_name_native: 'Эрика',
				middle_name_native: '',
				last_name_native: 'Мустерфрау'
			}
		});
	});
});
