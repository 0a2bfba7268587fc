/**
 * Compatibility (PROTOCOL.md 6): what the wallet sends must decrypt with the service libraries that
 * already exist for Telegram Passport. Here, npm @merqva/telegram-passport, used as its README says.
 */

import { TelegramPassport } from '@merqva/telegram-passport';
import { describe, expect, it } from 'vitest';
import { buildPassportData } from '../../../src/lib/passport/build-response';
import { encodeFormPost, readFormPost } from '../../../src/lib/passport/delivery';
import { parseConsentRequest } from '../../../src/lib/passport/request';
import {
	ADDRESS,
	PERSONAL,
	ScanShelf,
	allElements,
	consentQuery,
	sharedKeys
} from '../passport/helpers';

describe('@merqva/telegram-passport reads our responses', () => {
	it('decrypts credentials, data and every file, PKCS#1 and PKCS#8 keys alike', async () => {
		const keys = sharedKeys();
		const shelf = new ScanShelf();
		const parsed = parseConsentRequest({
			query: consentQuery({
				public_key: keys.pkcs1PublicPem,
				scope: JSON.stringify({
					v: 1,
					d: [{ _: 'pd', n: 1 }, { _: 'idd', s: 1, t: 1 }, 'ad', { _: 'add', t: 1 }, 'pn', 'em']
				})
			})
		});
		if (!parsed.ok) throw new Error(parsed.code);
		const built = await buildPassportData({
			request: parsed.request,
			choices: [undefined, 'identity_card', undefined, 'rental_agreement'],
			elements: allElements(shelf),
			readScan: shelf.readScan
		});
		// Through the wire format, as a service would receive it.
		const delivered = readFormPost(encodeFormPost(built));
		if (delivered.status !== 'success') throw new Error('not a success');

		for (const pem of [keys.pkcs1PrivatePem, keys.pkcs8Pem]) {
			const passport = new TelegramPassport(pem);
			const fields = passport.decryptPassportData(delivered.passportData as never) as any;
			expect(fields.nonce).toBe('nonce-1');
			expect(fields.personal_details.data).toEqual(PERSONAL);
			expect(fields.address.data).toEqual(ADDRESS);
			expect(fields.identity_card.data).toEqual({
				document_no: 'ID-99',
				expiry_date: '01.01.2030'
			});
			expect(fields.phone_number).toBe('33612345678');
			expect(fields.email).toBe('marie@example.org');

			const files: [any, string][] = [
				[fields.identity_card.front_side, 'identity_card-front'],
				[fields.identity_card.reverse_side, 'identity_card-reverse'],
				[fields.identity_card.selfie, 'identity_card-selfie'],
				[fields.identity_card.translation[0], 'identity_card-tr0'],
				[fields.identity_card.translation[1], 'identity_card-tr1'],
				[fields.rental_agreement.files[0], 'rental_agreement-f0'],
				[fields.rental_agreement.files[1], 'rental_agreement-f1'],
				[fields.rental_agreement.translation[0], 'rental_agreement-tr0']
			];
			for (const [file, scanId] of files) {
				const ciphertext = Buffer.from(delivered.files[file.file_id]);
				const plain = passport.decryptData(ciphertext, file.secret, file.file_hash);
				expect(plain.equals(shelf.scans.get(scanId)!), scanId).toBe(true);
			}
		}
	});

	it('and @merqva refuses our data under a tampered hash (so the check above means something)', async () => {
		const keys = sharedKeys();
		const shelf = new ScanShelf();
		const parsed = parseConsentRequest({ query: consentQuery({ scope: '{"v":1,"d":["ad"]}' }) });
		if (!parsed.ok) throw new Error(parsed.code);
		const { passportData } = await buildPassportData({
			request: parsed.request,
			elements: allElements(shelf),
			readScan: shelf.readScan
		});
		passportData.credentials.hash = Buffer.alloc(32, 1).toString('base64');
		expect(() =>
			new TelegramPassport(keys.pkcs8Pem).decryptPassportData(passportData as never)
		).toThrow();
	});
});
