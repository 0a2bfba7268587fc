/**
 * A field label goes through "{label} (optional)" when the field may stay empty: a label that
 * carried brackets of its own read "Middle name (native script) (optional)". Every field label, in
 * both languages, must make one set of brackets at most, optional or not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const load = (locale: string): Record<string, unknown> =>
	JSON.parse(
		readFileSync(join(import.meta.dirname, `../../../messages/elements/${locale}.json`), 'utf8')
	);

describe.each(['en', 'fr'])('field labels in %s', (locale) => {
	const messages = load(locale);
	const optional = messages.el_field_optional as string;
	const labels = Object.entries(messages).filter(
		([key, value]) =>
			key.startsWith('el_field_') && key !== 'el_field_optional' && typeof value === 'string'
	) as [string, string][];

	it('has the optional pattern and field labels to check', () => {
		expect(optional).toContain('{label}');
		expect(labels.length).toBeGreaterThan(15);
	});

	it.each(labels)('%s reads with one set of brackets at most when optional', (_key, label) => {
		const shown = optional.replace('{label}', label);
		expect(shown.match(/\(/g)?.length ?? 0).toBeLessThanOrEqual(1);
	});
});
