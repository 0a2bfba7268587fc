/**
 * Whether Settings offers passkey unlock on this device. The browser can say whether it knows
 * the `prf` extension, but not whether this device's authenticator computes it: that is learnt
 * when a passkey is made. Once an authenticator said no, it is remembered in this device's
 * settings (localStorage, erased with the wallet) and the option is no longer offered.
 */
import { browserMayOfferPrf } from '$lib/vault/webauthn-prf';

const NO_PRF_KEY = 'papiers.passkey.noPrf';

function knownWithoutPrf(): boolean {
	try {
		return globalThis.localStorage?.getItem(NO_PRF_KEY) === '1';
	} catch {
		return false;
	}
}

export async function passkeyOffered(): Promise<boolean> {
	return !knownWithoutPrf() && (await browserMayOfferPrf());
}

export function rememberNoPrf(): void {
	try {
		localStorage.setItem(NO_PRF_KEY, '1');
	} catch {
		// Offered again next time, and refused again: no harm.
	}
}
