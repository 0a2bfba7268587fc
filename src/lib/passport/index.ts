/**
 * Papiers' side of the Telegram Passport protocol (PROTOCOL.md): pure TypeScript for browsers and
 * Node ≥ 20, no DOM, no Svelte, no storage. The consent page parses a request, builds the response
 * from stored elements, and delivers it; the service kit (src/lib/service) uses the same modules.
 */

export * from './types';
export { parseScope, scopeTypes, MAX_SCOPE_LENGTH } from './scope';
export type { Scope, ScopeRow, ScopeElement, ScopeEncoding, ScopeResult } from './scope';
export { parseConsentRequest } from './request';
export type {
	ConsentRequest,
	ConsentRequestResult,
	ConsentErrorCode,
	ParseConsentRequestOptions,
	ResponseMode
} from './request';
export {
	parseCallbackUrl,
	isAllowedCallbackUrl,
	appendToCallbackUrl,
	buildErrorCallbackUrl,
	buildCancelCallbackUrl
} from './callback-url';
export type { CallbackTarget } from './callback-url';
export { parseServicePublicKey, wrapPkcs1PublicKey, MIN_RSA_MODULUS_BITS } from './public-key';
export type { ServicePublicKey, PublicKeyResult } from './public-key';
export { keyFingerprint } from './fingerprint';
export { parseElementErrors } from './element-errors';
export type { PassportElementError, PassportElementErrorSource } from './element-errors';
export {
	encryptBlob,
	decryptBlob,
	generateSecret,
	secretChecksumOk,
	BlobIntegrityError
} from './blob-crypto';
export type { EncryptedBlob } from './blob-crypto';
export { buildPassportData, PassportBuildError } from './build-response';
export type { BuildPassportDataOptions, BuiltPassportData, BuildErrorCode } from './build-response';
export {
	encodeFormPost,
	encodeFormPostBody,
	encodeFragmentUrl,
	readFormPost,
	readFragment,
	FragmentTooLargeError,
	DeliveryFormatError,
	MAX_FRAGMENT_LENGTH
} from './delivery';
export type { DeliveryContent, DeliveryOutcome } from './delivery';
export { matchElementErrors, isFlagResolved } from './error-matching';
export type { ElementFlag, ErrorMatch } from './error-matching';
export { elementHashOfParts, elementHashOfValue } from './element-hash';
export type { SentElement, SentFile } from './sent-element';
export type * from './passport-data';
export { SCAN_PARTS } from './passport-data';
