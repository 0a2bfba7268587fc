/**
 * Telegram-made PassportData from python-telegram-bot's tests (see tests/fixtures/telegram/README.md):
 * the kit must decrypt what Telegram's own servers and clients produced, to the values those tests
 * expect.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PassportData } from '../../../src/lib/passport/passport-data';
import { DeliveryError, decryptPassportData } from '../../../src/lib/service';

const fixtures = new URL('../../fixtures/telegram/', import.meta.url);
const passportData: PassportData = JSON.parse(
	readFileSync(new URL('ptb-passport-data.json', fixtures), 'utf8')
);
const privateKey = readFileSync(new URL('ptb-private-key.pem', fixtures), 'utf8');

// From python-telegram-bot tests/test_passport.py (test_wrong_key).
const PTB_SHORT_KEY =
	'-----BEGIN RSA PRIVATE KEY-----\r\nMIIBOQIBAAJBAKU+OZ2jJm7sCA/ec4gngNZhXYPu+DZ/TAwSMl0W7vAPXAsLplBk\r\nO8l6IBHx8N0ZC4Bc65mO3b2G8YAzqndyqH8CAwEAAQJAWOx3jQFzeVXDsOaBPdAk\r\nYTncXVeIc6tlfUl9mOLyinSbRNCy1XicOiOZFgH1rRKOGIC1235QmqxFvdecySoY\r\nwQIhAOFeGgeX9CrEPuSsd9+kqUcA2avCwqdQgSdy2qggRFyJAiEAu7QHT8JQSkHU\r\nDELfzrzc24AhjyG0z1DpGZArM8COascCIDK42SboXj3Z2UXiQ0CEcMzYNiVgOisq\r\nBUd5pBi+2mPxAiAM5Z7G/Sv1HjbKrOGh29o0/sXPhtpckEuj5QMC6E0gywIgFY6S\r\nNjwrAA+cMmsgY0O2fAzEKkDc5YiFsiXaGaSS4eA=\r\n-----END RSA PRIVATE KEY-----';

describe("Telegram's own PassportData (python-telegram-bot sample)", () => {
	it('decrypts to the values python-telegram-bot expects', async () => {
		const passport = await decryptPassportData({
			privateKey,
			passportData,
			expectedNonce: 'thisisatest',
			// Telegram's server computes element hashes its own way; the sample has none to check.
			verifyElementHashes: false
		});
		expect(passport.nonce).toBe('thisisatest');
		expect(passport.elements.map((element) => element.type)).toEqual([
			'personal_details',
			'driver_license',
			'utility_bill',
			'address',
			'email'
		]);
		expect(passport.byType.personal_details!.data).toEqual({
			first_name: 'FIRSTNAME',
			middle_name: 'MIDDLENAME',
			first_name_native: 'FIRSTNAMENATIVE',
			residence_country_code: 'DK',
			birth_date: '01.01.2001',
			last_name_native: 'LASTNAMENATIVE',
			gender: 'female',
			middle_name_native: 'MIDDLENAMENATIVE',
			country_code: 'DK',
			last_name: 'LASTNAME'
		});
		const licence = passport.byType.driver_license!;
		expect(licence.data).toEqual({ expiry_date: '01.01.2001', document_no: 'DOCUMENT_NO' });
		expect(licence.selfie!.file_id).toBe('DgADBAADEQQAAkopgFNr6oi-wISRtAI');
		expect(licence.selfie!.credentials).toEqual({
			file_hash: 'Cila/qLXSBH7DpZFbb5bRZIRxeFW2uv/ulL0u0JNsYI=',
			secret: 'tivdId6RNYNsvXYPppdzrbxOBuBOr9wXRPDcCvnXU7E='
		});
		expect(licence.front_side!.file_id).toBe('DgADBAADxwMAApnQgVPK2-ckL2eXVAI');
		expect(licence.reverse_side!.file_id).toBe('DgADBAADNQQAAtoagFPf4wwmFZdmyQI');
		expect(licence.translation!.map((file) => file.file_id)).toEqual([
			'DgADBAADswMAAisqQVAmooP-kVgLgAI',
			'DgADBAAD1QMAAnrpQFBMZsT3HysjwwI'
		]);
		expect(passport.byType.address!.data).toEqual({
			city: 'CITY',
			street_line2: 'STREET_LINE2',
			state: 'STATE',
			post_code: 'POSTCODE',
			country_code: 'DK',
			street_line1: 'STREET_LINE1'
		});
		const bill = passport.byType.utility_bill!;
		expect(bill.files!.map((file) => file.file_id)).toEqual([
			'DgADBAADLAMAAhwfgVMyfGa5Nr0LvAI',
			'DgADBAADaQQAAsFxgVNVfLZuT-_3ZQI'
		]);
		expect(bill.translation).toHaveLength(2);
		expect(passport.byType.email!.email).toBe('fb3e3i47zt@dispostable.com');
		// Telegram's secrets carry the byte-sum check the wallet reproduces.
		const secret = Buffer.from(licence.selfie!.credentials.secret, 'base64');
		expect(secret.reduce((sum, byte) => sum + byte, 0) % 255).toBe(239);
	});

	it('refuses a wrong hash (test_wrong_hash)', async () => {
		const tampered = structuredClone(passportData);
		tampered.credentials.hash = 'bm90Y29ycmVjdGhhc2g=';
		await expect(
			decryptPassportData({ privateKey, passportData: tampered, expectedNonce: 'thisisatest' })
		).rejects.toMatchObject({
			code: 'HASH_MISMATCH'
		});
	});

	it('refuses a key it was not made for (test_wrong_key)', async () => {
		const attempt = decryptPassportData({
			privateKey: PTB_SHORT_KEY,
			passportData,
			expectedNonce: 'thisisatest'
		});
		await expect(attempt).rejects.toBeInstanceOf(DeliveryError);
		await expect(attempt).rejects.toMatchObject({ code: 'CREDENTIALS_UNREADABLE' });
	});

	it('refuses the sample when it expected another nonce', async () => {
		await expect(
			decryptPassportData({
				privateKey,
				passportData,
				verifyElementHashes: false,
				expectedNonce: 'other'
			})
		).rejects.toMatchObject({ code: 'NONCE_MISMATCH' });
	});
});
