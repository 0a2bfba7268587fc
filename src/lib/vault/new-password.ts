import { MIN_PASSWORD_LENGTH } from './password-strength';

/** Whether a chosen password may be used; the form shows the matching message per field. */
export function newPasswordProblem(options: {
	password: string;
	confirmation: string;
	hint?: string;
}): 'too_short' | 'mismatch' | 'in_hint' | undefined {
	const { password, confirmation, hint = '' } = options;
	if (password.length < MIN_PASSWORD_LENGTH) return 'too_short';
	if (password !== confirmation) return 'mismatch';
	if (hint && hint.toLowerCase().includes(password.toLowerCase())) return 'in_hint';
	return undefined;
}
