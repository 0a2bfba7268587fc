/**
 * The WebAuthn calls behind passkey unlock, made directly (README, "Passkey unlock"): there is
 * no server, so nothing is attested, signed or verified; the wallet only needs a discoverable
 * platform credential and its PRF output (the `prf` extension) after user verification. That is
 * one navigator.credentials.create and one .get, reading `rawId` and the extension's result:
 * no CBOR or JSON encoding for a library to do.
 *
 * The challenge is random and unused: the assertion's signature is not what protects the vault,
 * the PRF output is (the authenticator gives a different one without user verification, and the
 * wrap then does not open).
 */
import { randomBytes, toBase64Url } from '$lib/crypto/bytes';

export type PasskeyFailure =
	/** The person cancelled, verification failed, or the passkey is gone from the platform. */
	| 'not-allowed'
	/** The authenticator gives no PRF output: passkey unlock cannot work on this device. */
	| 'no-prf'
	/** Anything else the browser threw. */
	| 'failed';

export class PasskeyError extends Error {
	constructor(
		readonly failure: PasskeyFailure,
		message?: string
	) {
		super(message ?? failure);
		this.name = 'PasskeyError';
	}
}

/** The platform side of a passkey: create one, evaluate its PRF. Tests pass a fake. */
export interface PrfAuthenticator {
	/** A new credential and, if the authenticator answers it at creation, the PRF of `salt`. */
	create(salt: Uint8Array): Promise<{ credentialId: Uint8Array; prfOutput?: Uint8Array }>;
	evaluate(credentialId: Uint8Array, salt: Uint8Array): Promise<Uint8Array>;
	/** Tells the platform a credential is no longer used (where it can hear it). */
	forget(credentialId: Uint8Array): Promise<void>;
}

const TIMEOUT_MS = 120_000;

function asFailure(error: unknown): PasskeyError {
	if (error instanceof PasskeyError) return error;
	const name = (error as DOMException | undefined)?.name;
	if (name === 'NotAllowedError' || name === 'AbortError' || name === 'InvalidStateError') {
		return new PasskeyError('not-allowed', (error as Error).message);
	}
	return new PasskeyError('failed', (error as Error | undefined)?.message);
}

function prfFirst(credential: PublicKeyCredential): Uint8Array | undefined {
	const prf = (
		credential.getClientExtensionResults() as {
			prf?: { enabled?: boolean; results?: { first?: BufferSource } };
		}
	).prf;
	const first = prf?.results?.first;
	if (!first) return undefined;
	return first instanceof ArrayBuffer
		? new Uint8Array(first.slice(0))
		: new Uint8Array(first.buffer.slice(first.byteOffset, first.byteOffset + first.byteLength));
}

function prfEnabled(credential: PublicKeyCredential): boolean {
	const prf = (credential.getClientExtensionResults() as { prf?: { enabled?: boolean } }).prf;
	return prf?.enabled === true || prfFirst(credential) !== undefined;
}

/**
 * Whether to offer passkey unlock at all: a secure context with WebAuthn, a user-verifying
 * platform authenticator, and a browser that does not say it lacks `prf`. Whether this
 * device's authenticator computes the PRF is only known after creating a credential.
 */
export async function browserMayOfferPrf(): Promise<boolean> {
	try {
		if (!globalThis.isSecureContext || typeof PublicKeyCredential === 'undefined') return false;
		if (!(await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable())) return false;
		const withCapabilities = PublicKeyCredential as unknown as {
			getClientCapabilities?: () => Promise<Record<string, boolean>>;
		};
		const capabilities = await withCapabilities.getClientCapabilities?.();
		return capabilities?.['extension:prf'] !== false;
	} catch {
		return false;
	}
}

export const webAuthnPrf: PrfAuthenticator = {
	async create(salt) {
		let credential: PublicKeyCredential;
		try {
			credential = (await navigator.credentials.create({
				publicKey: {
					challenge: randomBytes(32) as BufferSource,
					rp: { name: 'Papiers' },
					// A random handle: the platform groups passkeys by it, and it says nothing about anyone.
					user: {
						id: randomBytes(16) as BufferSource,
						name: 'Papiers',
						displayName: 'Papiers'
					},
					pubKeyCredParams: [
						{ type: 'public-key', alg: -7 },
						{ type: 'public-key', alg: -8 },
						{ type: 'public-key', alg: -257 }
					],
					authenticatorSelection: {
						authenticatorAttachment: 'platform',
						residentKey: 'required',
						requireResidentKey: true,
						userVerification: 'required'
					},
					attestation: 'none',
					timeout: TIMEOUT_MS,
					extensions: {
						prf: { eval: { first: salt as BufferSource } }
					} as AuthenticationExtensionsClientInputs
				}
			})) as PublicKeyCredential;
		} catch (error) {
			throw asFailure(error);
		}
		if (!credential) throw new PasskeyError('failed');
		const credentialId = new Uint8Array(credential.rawId.slice(0));
		if (!prfEnabled(credential)) {
			await this.forget(credentialId);
			throw new PasskeyError('no-prf');
		}
		return { credentialId, prfOutput: prfFirst(credential) };
	},

	async evaluate(credentialId, salt) {
		let credential: PublicKeyCredential;
		try {
			credential = (await navigator.credentials.get({
				publicKey: {
					challenge: randomBytes(32) as BufferSource,
					allowCredentials: [{ type: 'public-key', id: credentialId as BufferSource }],
					userVerification: 'required',
					timeout: TIMEOUT_MS,
					extensions: {
						prf: { eval: { first: salt as BufferSource } }
					} as AuthenticationExtensionsClientInputs
				}
			})) as PublicKeyCredential;
		} catch (error) {
			throw asFailure(error);
		}
		const output = credential && prfFirst(credential);
		if (!output) throw new PasskeyError('no-prf');
		return output;
	},

	async forget(credentialId) {
		try {
			const signal = PublicKeyCredential as unknown as {
				signalUnknownCredential?: (options: {
					rpId: string;
					credentialId: string;
				}) => Promise<void>;
			};
			await signal.signalUnknownCredential?.({
				rpId: location.hostname,
				credentialId: toBase64Url(credentialId)
			});
		} catch {
			// Optional: the platform keeps an unused passkey, which opens nothing.
		}
	}
};
