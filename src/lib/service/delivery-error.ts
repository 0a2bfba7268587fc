/**
 * Why the service kit refused a delivery (PROTOCOL.md 6): one code per kind of failure, so a
 * service can log and answer without parsing messages.
 */

export type DeliveryErrorCode =
	/** Not a well-formed delivery or PassportData. */
	| 'DELIVERY_MALFORMED'
	/** The credentials secret does not decrypt with this key. */
	| 'CREDENTIALS_UNREADABLE'
	/** A blob or element does not match its hash: altered, or not made for this key. */
	| 'HASH_MISMATCH'
	| 'FILE_MISSING'
	| 'NONCE_MISMATCH'
	/** consumeNonce refused it: unknown, expired, or already used. */
	| 'NONCE_REUSED';

export class DeliveryError extends Error {
	constructor(
		readonly code: DeliveryErrorCode,
		message: string = code
	) {
		super(message);
		this.name = 'DeliveryError';
	}
}
