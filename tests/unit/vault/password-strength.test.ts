import { describe, expect, it } from 'vitest';
import { estimatePasswordStrength } from '$lib/vault/password-strength';

describe('password strength', () => {
	it('rates short, common and repetitive passwords as very weak', () => {
		expect(estimatePasswordStrength('')).toBe(0);
		expect(estimatePasswordStrength('abc')).toBe(0);
		expect(estimatePasswordStrength('password')).toBe(0);
		expect(estimatePasswordStrength('aaaaaaaaaaaa')).toBe(0);
		expect(estimatePasswordStrength('12345678')).toBe(0);
	});

	it('rates long varied passphrases as strong', () => {
		expect(estimatePasswordStrength('correct horse battery staple')).toBe(4);
		expect(estimatePasswordStrength('Tr0ub4dor&3x!Lq')).toBeGreaterThanOrEqual(3);
		expect(estimatePasswordStrength('lyon-hiver-42')).toBeGreaterThanOrEqual(2);
	});
});
