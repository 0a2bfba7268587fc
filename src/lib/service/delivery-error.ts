/**
 * Why the service kit refused a delivery (PROTOCOL.md 6): one code per kind of failure, so a
 * service can log and answer without parsing messages. Anyone holding the service's public key
 * (it is in every consent link) can make a delivery, so every refusal here is an ordinary event,
 * never a crash: catch DeliveryError, show a page, keep nothing.
 */

export type DeliveryErrorCode =
	/** Not a well-formed delivery, PassportData or credentials JSON (type, key, part or count). */
	| 'DELIVERY_MALFORMED'
	/** A part is larger than any genuine delivery needs; refused before any work on it. */
	| 'DELIVERY_TOO_LARGE'
	/** A decrypted value breaks the Bot API types (a date that is not DD.MM.YYYY, an object…). */
	| 'DATA_INVALID'
	/** The credentials secret does not decrypt with this key. */
	| 'CREDENTIALS_UNREADABLE'
	/** A blob or element does not match its hash: altered, or not made for this key. */
	| 'HASH_MISMATCH'
	| 'FILE_MISSING'
	/** Not the nonce given as expectedNonce. */
	| 'NONCE_MISMATCH'
	/** consumeNonce refused it: unknown, expired, or already used. */
	| 'NONCE_REUSED'
	/** consumeNonce knows it, but it was issued to another browser session (login CSRF). */
	| 'NONCE_OTHER_SESSION';

export class DeliveryError extends Error {
	constructor(
		readonly code: DeliveryErrorCode,
		message: string = code
	) {
		super(message);
		this.name = 'DeliveryError';
	}
}

export function malformed(path: string, problem: string): never {
	throw new DeliveryError('DELIVERY_MALFORMED', `${path} ${problem}`);
}

export function tooLarge(path: string, limit: number): never {
	throw new DeliveryError('DELIVERY_TOO_LARGE', `${path} is longer than ${limit}`);
}
