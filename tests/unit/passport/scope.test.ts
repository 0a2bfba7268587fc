import { describe, expect, it } from 'vitest';
import { parseScope, type ScopeRow } from '../../../src/lib/passport/scope';

function rows(text: string): ScopeRow[] {
	const result = parseScope(text);
	if (!result.ok) throw new Error(`expected a valid scope, got ${result.code} for ${text}`);
	return result.scope.rows;
}

const el = (
	type: string,
	flags: Partial<Record<'selfie' | 'translation' | 'native_names', boolean>> = {}
) => ({
	type,
	selfie: false,
	translation: false,
	native_names: false,
	...flags
});

describe('scope: full form', () => {
	it('reads type strings, flagged objects and one_of rows in order', () => {
		const result = parseScope(
			JSON.stringify({
				v: 1,
				data: [
					{ type: 'personal_details', native_names: true },
					{ one_of: [{ type: 'passport', selfie: true }, 'identity_card'], translation: true },
					'address',
					'email'
				]
			})
		);
		expect(result).toEqual({
			ok: true,
			scope: {
				encoding: 'full',
				rows: [
					{ oneOf: false, options: [el('personal_details', { native_names: true })] },
					{
						oneOf: true,
						options: [
							el('passport', { selfie: true, translation: true }),
							el('identity_card', { translation: true })
						]
					},
					{ oneOf: false, options: [el('address')] },
					{ oneOf: false, options: [el('email')] }
				]
			}
		});
	});

	it('expands the id_document and address_document aliases into one-of rows with their flags', () => {
		expect(
			rows('{"v":1,"data":[{"type":"id_document","selfie":true},"address_document"]}')
		).toEqual([
			{
				oneOf: true,
				options: [
					el('passport', { selfie: true }),
					el('driver_license', { selfie: true }),
					el('identity_card', { selfie: true })
				]
			},
			{ oneOf: true, options: [el('utility_bill'), el('bank_statement'), el('rental_agreement')] }
		]);
	});

	it('parses the scope python-telegram-bot generated its sample with', () => {
		const scope = rows(
			JSON.stringify({
				data: [
					{ type: 'personal_details', native_names: true },
					{ type: 'id_document', selfie: true, translation: true },
					{ type: 'address_document', translation: true },
					'address',
					'email'
				],
				v: 1
			})
		);
		expect(scope.map((row) => row.options.map((option) => option.type))).toEqual([
			['personal_details'],
			['passport', 'driver_license', 'identity_card'],
			['utility_bill', 'bank_statement', 'rental_agreement'],
			['address'],
			['email']
		]);
		expect(scope[2].options.every((option) => option.translation && !option.selfie)).toBe(true);
	});

	it('treats a one_of with a single member as a plain row', () => {
		expect(rows('{"v":1,"data":[{"one_of":["passport"],"selfie":true}]}')).toEqual([
			{ oneOf: false, options: [el('passport', { selfie: true })] }
		]);
	});
});

describe('scope: compact form', () => {
	it("parses the protocol's own example", () => {
		const result = parseScope(
			'{"v":1,"d":[{"_":"pd","n":1},"ad","pn","em",{"_":[{"_":"pp","s":1,"t":1},"ip","dl","ic"]},{"_":["ub","bs","ra","pr","tr"]}]}'
		);
		expect(result.ok && result.scope.encoding).toBe('compact');
		expect(result.ok && result.scope.rows).toEqual([
			{ oneOf: false, options: [el('personal_details', { native_names: true })] },
			{ oneOf: false, options: [el('address')] },
			{ oneOf: false, options: [el('phone_number')] },
			{ oneOf: false, options: [el('email')] },
			{
				oneOf: true,
				options: [
					el('passport', { selfie: true, translation: true }),
					el('internal_passport'),
					el('driver_license'),
					el('identity_card')
				]
			},
			{
				oneOf: true,
				options: [
					el('utility_bill'),
					el('bank_statement'),
					el('rental_agreement'),
					el('passport_registration'),
					el('temporary_registration')
				]
			}
		]);
	});

	it('knows every short name and both aliases', () => {
		const short = ['pd', 'pp', 'dl', 'ic', 'ip', 'ad', 'ub', 'bs', 'ra', 'pr', 'tr', 'pn', 'em'];
		const types = rows(JSON.stringify({ v: 1, d: short })).map((row) => row.options[0].type);
		expect(types).toEqual([
			'personal_details',
			'passport',
			'driver_license',
			'identity_card',
			'internal_passport',
			'address',
			'utility_bill',
			'bank_statement',
			'rental_agreement',
			'passport_registration',
			'temporary_registration',
			'phone_number',
			'email'
		]);
		expect(rows('{"v":1,"d":[{"_":"idd","s":1},"add"]}').map((row) => row.options.length)).toEqual([
			3, 3
		]);
	});

	it('applies a one-of row flag to every member', () => {
		expect(rows('{"v":1,"d":[{"_":["pp","dl"],"t":1}]}')[0].options).toEqual([
			el('passport', { translation: true }),
			el('driver_license', { translation: true })
		]);
	});
});

describe('scope: legacy form', () => {
	it('reads an array of full type names', () => {
		const result = parseScope('["personal_details","passport","email"]');
		expect(result.ok && result.scope.encoding).toBe('legacy');
		expect(result.ok && result.scope.rows.map((row) => row.options)).toEqual([
			[el('personal_details')],
			[el('passport')],
			[el('email')]
		]);
	});
});

describe('scope: refusals', () => {
	const invalid: [string, string][] = [
		['not JSON', '{v:1'],
		['a number', '42'],
		['null', 'null'],
		['a string', '"personal_details"'],
		['v missing', '{"data":["email"]}'],
		['v 2', '{"v":2,"data":["email"]}'],
		['v as string', '{"v":"1","data":["email"]}'],
		['both data and d', '{"v":1,"data":["email"],"d":["em"]}'],
		['neither data nor d', '{"v":1}'],
		['data not an array', '{"v":1,"data":{"type":"email"}}'],
		['unknown type', '{"v":1,"data":["passport_photo"]}'],
		['unknown compact name', '{"v":1,"d":["zz"]}'],
		['type of wrong type', '{"v":1,"data":[{"type":7}]}'],
		['item of wrong type', '{"v":1,"data":[true]}'],
		['nested array item in full form', '{"v":1,"data":[["email"]]}'],
		['full-form type as an array', '{"v":1,"data":[{"type":["passport"]}]}'],
		['type twice', '{"v":1,"data":["email","email"]}'],
		['type twice through an alias', '{"v":1,"data":["passport",{"type":"id_document"}]}'],
		['type twice inside a one-of', '{"v":1,"d":[{"_":["pp","pp"]}]}'],
		['type twice across one-of and row', '{"v":1,"d":[{"_":["ub","bs"]},"bs"]}'],
		['selfie on personal_details', '{"v":1,"data":[{"type":"personal_details","selfie":true}]}'],
		['selfie on a proof of address', '{"v":1,"data":[{"type":"utility_bill","selfie":true}]}'],
		['selfie on address_document alias', '{"v":1,"d":[{"_":"add","s":1}]}'],
		['selfie on phone', '{"v":1,"d":[{"_":"pn","s":1}]}'],
		['translation on personal_details', '{"v":1,"d":[{"_":"pd","t":1}]}'],
		['translation on address', '{"v":1,"data":[{"type":"address","translation":true}]}'],
		['translation on phone', '{"v":1,"data":[{"type":"phone_number","translation":true}]}'],
		['translation on email', '{"v":1,"d":[{"_":"em","t":1}]}'],
		['native_names on a passport', '{"v":1,"data":[{"type":"passport","native_names":true}]}'],
		['native_names on address', '{"v":1,"d":[{"_":"ad","n":1}]}'],
		['native_names on a one-of', '{"v":1,"d":[{"_":["pp","dl"],"n":1}]}'],
		['one-of mixing ID and address documents', '{"v":1,"d":[{"_":["pp","ub"]}]}'],
		[
			'one-of holding personal details',
			'{"v":1,"data":[{"one_of":["passport","personal_details"]}]}'
		],
		['one-of holding phone and email', '{"v":1,"d":[{"_":["pn","em"]}]}'],
		['empty one-of', '{"v":1,"data":[{"one_of":[]}]}'],
		['nested one-of', '{"v":1,"data":[{"one_of":[{"one_of":["passport","driver_license"]}]}]}'],
		['nested compact one-of', '{"v":1,"d":[{"_":[{"_":["pp","dl"]}]}]}'],
		[
			'type and one_of together',
			'{"v":1,"data":[{"type":"passport","one_of":["driver_license"]}]}'
		],
		['object without type', '{"v":1,"data":[{"selfie":true}]}'],
		['flag as a string', '{"v":1,"data":[{"type":"passport","selfie":"yes"}]}'],
		['flag as 2', '{"v":1,"d":[{"_":"pp","s":2}]}'],
		['legacy alias', '["id_document"]'],
		['legacy object', '[{"type":"passport"}]'],
		['legacy duplicate', '["email","email"]'],
		['far too long', JSON.stringify({ v: 1, data: ['email'], pad: 'x'.repeat(9000) })]
	];
	it.each(invalid)('%s is SCOPE_INVALID', (_name, text) => {
		expect(parseScope(text)).toEqual({ ok: false, code: 'SCOPE_INVALID' });
	});

	const empty: [string, string | null][] = [
		['absent', null],
		['empty string', ''],
		['blank', '   '],
		['no rows (full)', '{"v":1,"data":[]}'],
		['no rows (compact)', '{"v":1,"d":[]}'],
		['no rows (legacy)', '[]']
	];
	it.each(empty)('%s is SCOPE_EMPTY', (_name, text) => {
		expect(parseScope(text)).toEqual({ ok: false, code: 'SCOPE_EMPTY' });
	});
});
