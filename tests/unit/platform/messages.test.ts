import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const load = (locale: string): Record<string, string> => {
	const { $schema: _schema, ...messages } = JSON.parse(
		readFileSync(join(import.meta.dirname, `../../../messages/platform/${locale}.json`), 'utf8')
	);
	return messages;
};
const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('messages/platform', () => {
	const en = load('en');
	const fr = load('fr');

	it('has the same keys in English and French', () => {
		expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
	});

	it('has non-empty texts with the same parameters in both languages', () => {
		for (const key of Object.keys(en)) {
			expect(en[key].trim(), key).not.toBe('');
			expect(fr[key].trim(), key).not.toBe('');
			expect(params(fr[key]), key).toEqual(params(en[key]));
		}
	});
});
