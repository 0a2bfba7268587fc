/**
 * A rough password strength estimate for feedback while typing, not a policy: the real
 * protection is Argon2id at 64 MiB. It estimates entropy from length and character variety and
 * treats repeated characters, sequences and very common passwords as weak.
 */
export const MIN_PASSWORD_LENGTH = 8;

const COMMON = new Set([
	'password',
	'motdepasse',
	'12345678',
	'123456789',
	'1234567890',
	'azertyuiop',
	'qwertyuiop',
	'iloveyou',
	'sunshine',
	'princess',
	'football',
	'baseball',
	'welcome1',
	'password1',
	'admin123',
	'letmein1',
	'abc12345',
	'soleil123',
	'bonjour1',
	'qwerty123',
	'azerty123'
]);

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export function estimatePasswordStrength(password: string): StrengthScore {
	if (password.length === 0) return 0;
	if (COMMON.has(password.toLowerCase())) return 0;
	let pool = 0;
	if (/[a-z]/.test(password)) pool += 26;
	if (/[A-Z]/.test(password)) pool += 26;
	if (/[0-9]/.test(password)) pool += 10;
	if (/[^a-zA-Z0-9]/.test(password)) pool += 33;
	// Count distinct runs: "aaaa" or "1234" add little beyond their first character.
	let effectiveLength = 1;
	for (let i = 1; i < password.length; i++) {
		const step = password.charCodeAt(i) - password.charCodeAt(i - 1);
		if (step !== 0 && Math.abs(step) !== 1) effectiveLength += 1;
		else effectiveLength += 0.25;
	}
	const bits = effectiveLength * Math.log2(Math.max(pool, 2));
	if (password.length < MIN_PASSWORD_LENGTH || bits < 28) return 0;
	if (bits < 40) return 1;
	if (bits < 55) return 2;
	if (bits < 70) return 3;
	return 4;
}
