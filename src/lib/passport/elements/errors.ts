/**
 * Field error codes. Validators return these, never English text, so each screen can show them in
 * the user's language (messages/elements: `el_err_<code>`).
 */

export const FIELD_ERROR_CODES = [
	'required',
	'too_short',
	'too_long',
	'invalid_chars',
	'invalid_date',
	'date_in_future',
	'date_too_old',
	'invalid_gender',
	'invalid_country',
	'invalid_post_code',
	'invalid_phone',
	'invalid_email'
] as const;

export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];

/** One code per failing field; a field that passes has no key. */
export type FieldErrors<Key extends string = string> = Partial<Record<Key, FieldErrorCode>>;
