/**
 * E-mail addresses: the syntax a mail server would accept from a person typing their own address,
 * not the full RFC 5322 grammar (quoted local parts and IP literals are refused: nobody's address
 * for a service sign-up looks like that, and they are far likelier to be typos).
 */
import type { FieldErrorCode } from './errors.js';

const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
// Printable characters that RFC 5322 allows unquoted (internationalised letters included).
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
// Labels of letters, digits and inner hyphens; at least two labels, a top level with no digits only.
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

export function normalizeEmail(input: string): string {
	return input.trim();
}

export function validateEmail(value: string): FieldErrorCode | null {
	const text = value.trim();
	if (text === '') return 'required';
	if (text.length > MAX_ADDRESS_LENGTH) return 'invalid_email';
	const at = text.lastIndexOf('@');
	if (at < 1) return 'invalid_email';
	const local = text.slice(0, at);
	const labels = text.slice(at + 1).split('.');
	if (local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) return 'invalid_email';
	if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label)))
		return 'invalid_email';
	if (/^\d+$/.test(labels[labels.length - 1])) return 'invalid_email';
	return null;
}
