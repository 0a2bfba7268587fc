/**
 * What arrives at a service's callback (PROTOCOL.md 4.3): form_post fields or a fragment, read and,
 * for a success, decrypted and verified in full with decryptPassportData.
 */

import { decryptBlob } from '../passport/blob-crypto';
import {
	DeliveryFormatError,
	FILE_FIELD_PREFIX,
	readFormPost,
	readFragment,
	readFragmentPayload,
	type DeliveryContent,
	type DeliveryOutcome,
	type FragmentEnvelope
} from '../passport/delivery';
import {
	decryptPassportData,
	requireNonceCheck,
	type DecryptPassportDataBase,
	type DecryptedPassport,
	type NonceCheck
} from './decrypt-passport';
import { DeliveryError, malformed, tooLarge } from './delivery-error';
import { MAX_DELIVERY_FILES } from './limits';
import { importServicePrivateKey } from './private-key';

export type FormFields = URLSearchParams | Record<string, string> | [string, string][];

export type DecryptDeliveryOptions = Omit<DecryptPassportDataBase, 'passportData' | 'files'> &
	NonceCheck &
	({ fields: FormFields; fragment?: undefined } | { fragment: string; fields?: undefined });

export type DecryptedDelivery =
	| { status: 'success'; passport: DecryptedPassport }
	| { status: 'cancel' }
	| { status: 'error'; code: string };

/** The wallet's form_post fields besides file_<id> (PROTOCOL.md 4.3), each sent once. */
const SUCCESS_FIELDS = ['tg_passport', 'passport_data'];

function readFields(fields: FormFields): DeliveryOutcome {
	const params = fields instanceof URLSearchParams ? fields : new URLSearchParams(fields);
	if (params.getAll('tg_passport').length > 1) malformed('tg_passport', 'is repeated');
	if (params.get('tg_passport') === 'success') {
		// One reading only: a repeated passport_data, or a field the wallet never sends, is not its.
		// (Cancel and error come back in the callback URL's query, beside the service's own.)
		let fileFields = 0;
		const seen = new Set<string>();
		for (const name of params.keys()) {
			if (name.startsWith(FILE_FIELD_PREFIX)) {
				// Counted before any is decoded: no passport carries more.
				if (++fileFields > MAX_DELIVERY_FILES) tooLarge('The file fields', MAX_DELIVERY_FILES);
				continue;
			}
			if (!SUCCESS_FIELDS.includes(name))
				malformed(`The field ${name.slice(0, 40)}`, "is not the wallet's");
			if (seen.has(name)) malformed(name, 'is repeated');
			seen.add(name);
		}
	}
	return readFormPost(params);
}

/** Opens the fragment's sealed payload (see delivery.ts) with the service's private key. */
async function openEnvelope(key: CryptoKey, envelope: FragmentEnvelope): Promise<DeliveryContent> {
	let secret: Uint8Array;
	try {
		secret = new Uint8Array(
			await globalThis.crypto.subtle.decrypt(
				{ name: 'RSA-OAEP' },
				key,
				envelope.secret as BufferSource
			)
		);
	} catch {
		throw new DeliveryError('CREDENTIALS_UNREADABLE', 'The fragment secret is not for this key');
	}
	let plain: Uint8Array;
	try {
		plain = await decryptBlob({ ciphertext: envelope.data, secret, hash: envelope.hash });
	} catch {
		throw new DeliveryError('HASH_MISMATCH', 'The fragment payload does not match its hash');
	}
	return readFragmentPayload(plain);
}

/**
 * Reads what arrived at the callback (form fields, or the fragment for response_mode=fragment):
 * a cancel, an error code, or a success decrypted and verified in full. Throws DeliveryError;
 * throws TypeError when called without a nonce check (expectedNonce or consumeNonce).
 */
export async function decryptDelivery(options: DecryptDeliveryOptions): Promise<DecryptedDelivery> {
	requireNonceCheck(options);
	try {
		let content: DeliveryContent;
		let privateKey = options.privateKey;
		if (options.fields !== undefined) {
			const outcome = readFields(options.fields);
			if (outcome.status !== 'success') return outcome;
			content = outcome;
		} else if (typeof options.fragment === 'string') {
			const outcome = readFragment(options.fragment);
			if (outcome.status !== 'success') return outcome;
			if (typeof privateKey === 'string') privateKey = await importServicePrivateKey(privateKey);
			content = await openEnvelope(privateKey, outcome.envelope);
		} else {
			throw new DeliveryError('DELIVERY_MALFORMED', 'Give either fields or fragment');
		}
		const passport = await decryptPassportData({
			...options,
			privateKey,
			passportData: content.passportData,
			files: content.files
		});
		return { status: 'success', passport };
	} catch (error) {
		if (error instanceof DeliveryFormatError) throw new DeliveryError(error.code, error.message);
		throw error;
	}
}
