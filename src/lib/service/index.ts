/**
 * The Papiers service kit (PROTOCOL.md 6): build consent links, decrypt deliveries.
 * Imports passport/ only; runs in Node ≥ 20 and browsers (WebCrypto). createSignUpButton alone
 * needs a DOM.
 */

export { buildConsentUrl, ConsentUrlError } from './consent-url';
export type { BuildConsentUrlOptions, ScopeInput } from './consent-url';
export { createSignUpButton, SIGN_UP_BUTTON_CLASS } from './button';
export type { SignUpButtonOptions } from './button';
export { decryptPassportData, decryptFile } from './decrypt-passport';
export type {
	ConsumeNonce,
	DecryptPassportDataOptions,
	DecryptPassportDataBase,
	NonceCheck,
	DecryptedPassport,
	DecryptedElement,
	DecryptedFile
} from './decrypt-passport';
export { decryptDelivery } from './decrypt-delivery';
export type { DecryptDeliveryOptions, DecryptedDelivery, FormFields } from './decrypt-delivery';
export { DeliveryError } from './delivery-error';
export type { DeliveryErrorCode } from './delivery-error';
export { importServicePrivateKey, wrapPkcs1PrivateKey, PrivateKeyError } from './private-key';
export { createNonceStore } from './nonce-store';
export type { NonceStore, NonceVerdict } from './nonce-store';
export { keyFingerprint } from '../passport/fingerprint';
export * as limits from './limits';
export type { PassportData, PassportElementError } from '../passport/index';
