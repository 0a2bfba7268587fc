/**
 * "Fill from the photo" (issue 13): a generated photo of ICAO's specimen passport (ERIKA, made by
 * tests/fixtures/mrz/make-mrz-photos.js --specimen with seed 1: OCR-B, JPEG q60, blur, rotation,
 * perspective, uneven light, a background) is added as the front side; the MRZ worker reads it
 * and the proposals are shown as for typed lines; Save stores them and the consent delivery
 * carries them. Offline after first use: the engine and its model come from the service worker.
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { createVault, unlock, waitForServiceWorker } from './helpers';
import {
	authorizeAndReceive,
	startCallbackServer,
	WALLET_ORIGIN,
	WALLET_URL
} from './consent-helpers';
import { addPhotos, homeRow, saveEditor, scanGroup } from './fill';

const PHOTO = join(import.meta.dirname, '../fixtures/mrz/erika-passport.jpg');
// Loading the engine (about 7 MB from the wallet) and reading one photo take seconds on an idle
// machine; a CI machine with four times more runnable work than cores needs many times that.
const READ_BOUND = 120_000;

async function openPassport(page: Page) {
	await homeRow(page, 'passport').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Passport' })).toBeVisible();
}

/**
 * Adds the photo and reads it. The engine reads the document number's 0 as O on this photo; the
 * check digit finds the one reading that passes, which is shown flagged, for the person to
 * compare and use (as for typed lines).
 */
async function fillFromPhoto(page: Page, replace = false) {
	const group = scanGroup(page, 'Front side');
	if (replace) {
		// The stored front side is replaced by a new photo of the same page.
		const chooser = page.waitForEvent('filechooser');
		await group.getByRole('button', { name: /^Take a new photo/ }).click();
		await (await chooser).setFiles([PHOTO]);
	} else {
		await addPhotos(group, [PHOTO], 'camera');
	}
	await page.getByRole('button', { name: 'Fill from the photo' }).click();
	await expect(
		page.getByRole('status').filter({ hasText: 'Some check digits do not match' })
	).toBeVisible({ timeout: READ_BOUND });
	const documentNo = page.locator('[data-mrz-field="document_no"]');
	await expect(documentNo).toHaveAttribute('data-flagged', 'true');
	await expect(documentNo).toContainText('C01X00T47');
	await expect(documentNo).toContainText('Read by changing look-alike characters');
	// Not filled silently: the field keeps what it held until the person uses the value.
	await expect(page.getByLabel('Document number')).toHaveValue(replace ? 'C01X00T47' : '');
	await documentNo.getByRole('button', { name: 'Use this value' }).click();
}

async function expectErikaProposed(page: Page) {
	await expect(page.getByLabel('Document number')).toHaveValue('C01X00T47');
	await expect(page.getByLabel(/^Expiry date/)).toHaveValue('2031-02-28');
	for (const [label, value] of [
		['First name', 'Erika'],
		['Last name', 'Mustermann'],
		['Date of birth', '12.08.1964'],
		['Gender', 'Female'],
		['Citizenship', 'Germany']
	]) {
		const row = page.locator('[data-mrz-field]').filter({ hasText: label });
		await expect(row.getByRole('checkbox')).toBeChecked();
		await expect(row).toContainText(`In the MRZ: ${value}`);
	}
}

test('a passport photo fills the editor, offline too once used, and the delivery carries it', async ({
	page,
	context
}) => {
	test.setTimeout(480_000);
	await createVault(page);
	await waitForServiceWorker(page);

	// Every request of the first use, workers' included: the engine comes from the wallet.
	const requested: string[] = [];
	context.on('request', (request) => requested.push(request.url()));
	await openPassport(page);
	await fillFromPhoto(page);
	await expectErikaProposed(page);
	const ocrFiles = requested.filter((url) => new URL(url).pathname.startsWith('/ocr/'));
	expect(ocrFiles.map((url) => url.split('/').pop())).toEqual(
		expect.arrayContaining(['worker.min.js', 'eng.traineddata.gz'])
	);
	expect(
		requested.filter(
			(url) =>
				!url.startsWith(`${WALLET_ORIGIN}/`) && !url.startsWith('blob:') && !url.startsWith('data:')
		)
	).toEqual([]);
	// The lines read stay in the box for the person to compare and correct.
	await expect(page.getByLabel('Machine-readable zone (MRZ)')).toHaveValue(
		'P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<\nCO1X00T478D<<6408125F3102282<<<<<<<<<<<<<<<2'
	);
	await saveEditor(page);
	await expect(page.getByRole('heading', { level: 1, name: 'Your papers' })).toBeVisible({
		timeout: 15_000
	});

	// Offline, after a reload: the worker, the engine and its model come from the cache.
	await context.setOffline(true);
	try {
		await page.reload();
		await unlock(page);
		await expect(page.getByRole('heading', { level: 1, name: 'Your papers' })).toBeVisible({
			timeout: 15_000
		});
		await openPassport(page);
		await fillFromPhoto(page, true);
		await expect(page.getByLabel('Document number')).toHaveValue('C01X00T47');
		// Saved already: the personal details match, nothing to confirm.
		await expect(page.locator('[data-mrz-field="last_name"]')).toHaveCount(0);
		await page.getByRole('link', { name: '← Back' }).click();
	} finally {
		await context.setOffline(false);
	}

	// The MRZ has no country of residence: the person adds it, then a service asks.
	await homeRow(page, 'personal_details').click();
	await page.getByLabel('Country of residence').fill('Germany');
	await page.getByLabel('Country of residence').blur();
	await saveEditor(page);
	await expect(page.getByRole('heading', { level: 1, name: 'Your papers' })).toBeVisible({
		timeout: 15_000
	});
	const service = await startCallbackServer();
	try {
		const passport = await authorizeAndReceive({
			page,
			service,
			botId: '777000111',
			scope: { v: 1, d: ['pd', 'pp'] },
			nonce: 'nonce-mrz-photo'
		});
		expect(passport.byType.passport?.data).toEqual({
			document_no: 'C01X00T47',
			expiry_date: '28.02.2031'
		});
		expect(passport.byType.personal_details?.data).toMatchObject({
			first_name: 'Erika',
			last_name: 'Mustermann',
			birth_date: '12.08.1964',
			gender: 'female',
			country_code: 'DE'
		});
	} finally {
		await service.close();
	}
});
