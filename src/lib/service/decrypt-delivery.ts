/**
 * What arrives at a service's callback (PROTOCOL.md 4.3): form_post fields or a fragment, read and,
 * for a success, decrypted and verified in full with decryptPassportData.
 */

import { DeliveryFormatError, readFormPost, readFragment } from '../passport/delivery';
import {
	decryptPassportData,
	type DecryptPassportDataOptions,
	type DecryptedPassport
} from './decrypt-passport';
import { DeliveryError } from './delivery-error';

export type DecryptDeliveryOptions = Omit<DecryptPassportDataOptions, 'passportData' | 'files'> &
	(
		| {
				fields: URLSearchParams | Record<string, string> | [string, string][];
				fragment?: undefined;
		  }
		| { fragment: string; fields?: undefined }
	);

export type DecryptedDelivery =
	| { status: 'success'; passport: DecryptedPassport }
	| { status: 'cancel' }
	| { status: 'error'; code: string };

/**
 * Reads what arrived at the callback (form fields, or the fragment for response_mode=fragment):
 * a cancel, an error code, or a success decrypted and verified in full. Throws DeliveryError.
 */
export async function decryptDelivery(options: DecryptDeliveryOptions): Promise<DecryptedDelivery> {
	let outcome;
	try {
		if (options.fields !== undefined) outcome = readFormPost(options.fields);
		else if (typeof options.fragment === 'string') outcome = readFragment(options.fragment);
		else throw new DeliveryError('DELIVERY_MALFORMED', 'Give either fields or fragment');
	} catch (error) {
		if (error instanceof DeliveryFormatError)
			throw new DeliveryError('DELIVERY_MALFORMED', error.message);
		throw error;
	}
	if (outcome.status !== 'success') return outcome;
	const passport = await decryptPassportData({
		...options,
		passportData: outcome.passportData,
		files: outcome.files
	});
	return { status: 'success', passport };
}
