/**
 * Every Telegram Passport element, entered through the editors on a phone-sized screen, with scans
 * from the GPS-tagged fixtures; then checked as a person would find it after a reload, as a
 * service would receive the scans (JPEG, ≤ 2048 px, no EXIF), and as an attacker reading
 * IndexedDB would see it (none of the values).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { join } from 'node:path';
import { isJpeg, jpegHasExif, jpegHasXmp, readJpegSize } from '../../src/lib/capture/jpeg';
import { PASSWORD, createVault, unlock } from './helpers';
import { addPhotos, homeRow as row, scanGroup, thumbnails } from './fill';

const SCANS = join(import.meta.dirname, '../fixtures/scans');
const LARGE = join(SCANS, 'gps-large-3000x2000.jpg');
const SMALL = join(SCANS, 'gps-small-640x480.jpg');
const ROTATED = join(SCANS, 'gps-rotated-1200x800-orientation6.jpg');

/** Values that must come back after a reload and never appear in IndexedDB. */
const V = {
	firstName: 'Zephyrine',
	middleName: 'Odile',
	lastName: 'Quillfeather',
	firstNative: 'Зефирина',
	lastNative: 'Квиллфезер',
	passportNo: 'PZX8841207',
	idCardNo: 'IDQ5523901',
	licenceNo: 'DLW7730042',
	internalNo: 'INT4471185',
	street1: '17 Rue des Marqueurs',
	street2: 'Batiment Glaucous',
	city: 'Montargentine',
	state: 'Loiret Nord',
	postCode: 'MX-4521',
	phone: '+33 6 12 34 56 78',
	phoneDigits: '33612345678',
	email: 'zephyrine.quill@example.org'
};

/** yyyy-mm-dd, `days` from today (the device's today, as the app sees it). */
function isoInDays(days: number): string {
	const date = new Date();
	date.setDate(date.getDate() + days);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

async function openEditor(page: Page, type: string, heading: string) {
	await row(page, type).click();
	await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
	await expect(page.getByRole('button', { name: /^(Save|Enregistrer)$/ })).toBeVisible();
}

async function save(page: Page) {
	await page.getByRole('button', { name: /^(Save|Enregistrer)$/ }).click();
	await expect(
		page.getByRole('heading', { level: 1, name: /^(Your papers|Vos papiers)$/ })
	).toBeVisible({
		timeout: 15_000
	});
}

/** Back to the overview, waiting until it is there (a reload right after would race it). */
async function goHome(page: Page) {
	await page.getByRole('link', { name: /^← (Back|Retour)$/ }).click();
	await expect(
		page.getByRole('heading', { level: 1, name: /^(Your papers|Vos papiers)$/ })
	).toBeVisible();
}

async function reloadAndUnlock(page: Page) {
	await page.reload();
	await expect(page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
	await unlock(page);
}

/** The bytes behind the full-size view's <img>: exactly what the vault hands back. */
async function viewedScanBytes(page: Page, group: Locator, index = 0): Promise<Uint8Array> {
	await thumbnails(group).nth(index).click();
	const dialog = page.getByRole('dialog');
	await expect(dialog).toBeVisible();
	const image = dialog.getByRole('img');
	await expect(image).toHaveAttribute('src', /^blob:/);
	const src = (await image.getAttribute('src'))!;
	const bytes = await page.evaluate(async (url) => {
		const buffer = await (await fetch(url)).arrayBuffer();
		return Array.from(new Uint8Array(buffer));
	}, src);
	await dialog.getByRole('button', { name: /^(Close|Fermer)$/ }).click();
	await expect(dialog).toBeHidden();
	return Uint8Array.from(bytes);
}

function expectCleanJpeg(bytes: Uint8Array, size: { width: number; height: number }) {
	expect(isJpeg(bytes)).toBe(true);
	expect(jpegHasExif(bytes)).toBe(false);
	expect(jpegHasXmp(bytes)).toBe(false);
	expect(readJpegSize(bytes)).toEqual(size);
	expect(Buffer.from(bytes).includes('PapiersFixtureCam')).toBe(false);
}

/** Every value of every object store of every IndexedDB database, bytes as latin1. */
async function dumpIndexedDb(page: Page): Promise<string> {
	return page.evaluate(async () => {
		const flatten = (value: unknown): string => {
			if (value instanceof Uint8Array) {
				let text = '';
				for (const byte of value) text += String.fromCharCode(byte);
				return text;
			}
			if (value instanceof ArrayBuffer) return flatten(new Uint8Array(value));
			if (ArrayBuffer.isView(value)) return flatten(new Uint8Array(value.buffer));
			if (value instanceof Blob) return '[blob]';
			if (Array.isArray(value)) return value.map(flatten).join(' ');
			if (value && typeof value === 'object') {
				return Object.entries(value)
					.map(([key, inner]) => `${key}:${flatten(inner)}`)
					.join(' ');
			}
			return String(value);
		};
		const parts: string[] = [];
		for (const { name } of await indexedDB.databases()) {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open(name!);
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			for (const store of Array.from(db.objectStoreNames)) {
				const values = await new Promise<unknown[]>((resolve, reject) => {
					const request = db.transaction(store).objectStore(store).getAll();
					request.onsuccess = () => resolve(request.result);
					request.onerror = () => reject(request.error);
				});
				parts.push(`[${name}/${store}: ${values.length}]`, ...values.map(flatten));
			}
			db.close();
		}
		return parts.join('\n');
	});
}

/** How many rows an object store of the vault's database holds, read with the raw API. */
/** Every sealed record's id with its ciphertext as hex, to tell which row a save changed. */
async function sealedRows(page: Page): Promise<Record<string, string>> {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('papiers');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const rows = await new Promise<{ id: string; ct: Uint8Array }[]>((resolve, reject) => {
			const request = db.transaction('records').objectStore('records').getAll();
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		db.close();
		const hex = (bytes: Uint8Array) =>
			Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
		return Object.fromEntries(rows.map((row) => [row.id, hex(row.ct)]));
	});
}

async function countRows(page: Page, store: 'records' | 'scans'): Promise<number> {
	return page.evaluate(async (store) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('papiers');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const count = await new Promise<number>((resolve, reject) => {
			const request = db.transaction(store).objectStore(store).count();
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		db.close();
		return count;
	}, store);
}

test.describe('every element', () => {
	// The one place the page's CSP is lifted: fetching the full-size view's blob: URL from the
	// test (connect-src rightly does not allow blob: to the app itself).
	test.use({ bypassCSP: true });

	test('all 13 types entered on the phone come back after a reload, scans clean, storage sealed', async ({
		page
	}) => {
		test.setTimeout(240_000);
		await createVault(page);

		// Every row offers to add its element at first.
		await expect(row(page, 'personal_details')).toContainText('Add your personal details');
		await expect(row(page, 'email')).toContainText('Add an email address');

		// Personal details, living in Russia: the native-name fields appear.
		await openEditor(page, 'personal_details', 'Personal details');
		await expect(page.getByLabel('First name in native script')).toHaveCount(0);
		await page.getByLabel('First name', { exact: true }).fill(V.firstName);
		await page.getByLabel('Middle name (optional)').fill(V.middleName);
		await page.getByLabel('Last name', { exact: true }).fill(V.lastName);
		await page.getByLabel('Date of birth').fill('1990-04-15');
		await page.getByRole('radio', { name: 'Female' }).check();
		await page.getByLabel('Citizenship').fill('France');
		await page.getByLabel('Country of residence').fill('russie');
		await page.getByLabel('Country of residence').blur();
		await expect(page.getByLabel('Country of residence')).toHaveValue('Russian Federation');
		await page.getByLabel('First name in native script').fill(V.firstNative);
		await page.getByLabel('Last name in native script').fill(V.lastNative);
		await save(page);
		await expect(row(page, 'personal_details')).toContainText(
			`${V.firstName} ${V.middleName} ${V.lastName}, born Apr 15, 1990`
		);

		// Passport expiring in 10 days: front side from the camera, selfie, two translations.
		await openEditor(page, 'passport', 'Passport');
		await expect(scanGroup(page, 'Selfie with the document (optional)')).toBeVisible();
		await expect(scanGroup(page, 'Translation (optional)')).toBeVisible();
		await page.getByLabel('Document number').fill(V.passportNo);
		await page.getByLabel('Expiry date (optional)').fill(isoInDays(10));
		await addPhotos(scanGroup(page, 'Front side'), [LARGE], 'camera');
		await addPhotos(scanGroup(page, /^Selfie/), [SMALL], 'camera', 'user');
		await addPhotos(scanGroup(page, /^Translation/), [SMALL, ROTATED], 'gallery');
		await save(page);
		await expect(row(page, 'passport')).toContainText(V.passportNo);
		await expect(row(page, 'passport')).toContainText('This document expires within 30 days.');

		// Identity card, expired: front and reverse.
		await openEditor(page, 'identity_card', 'Identity card');
		await page.getByLabel('Document number').fill(V.idCardNo);
		await page.getByLabel('Expiry date (optional)').fill(isoInDays(-5));
		await addPhotos(scanGroup(page, 'Front side'), [SMALL], 'gallery');
		await addPhotos(scanGroup(page, 'Reverse side'), [SMALL], 'camera');
		await save(page);
		await expect(row(page, 'identity_card')).toContainText('This document has expired.');

		// Driver's licence with no expiry date.
		await openEditor(page, 'driver_license', 'Driver’s licence');
		await page.getByLabel('Document number').fill(V.licenceNo);
		await addPhotos(scanGroup(page, 'Front side'), [ROTATED], 'camera');
		await addPhotos(scanGroup(page, 'Reverse side'), [SMALL], 'camera');
		await save(page);
		await expect(row(page, 'driver_license')).toContainText(`${V.licenceNo}, no expiry date`);

		await openEditor(page, 'internal_passport', 'Internal passport');
		await page.getByLabel('Document number').fill(V.internalNo);
		await page.getByLabel('Expiry date (optional)').fill('2040-12-31');
		await addPhotos(scanGroup(page, 'Front side'), [SMALL], 'gallery');
		await save(page);
		await expect(row(page, 'internal_passport')).toContainText('expires Dec 31, 2040');
		await expect(row(page, 'internal_passport')).not.toContainText('This document');

		await openEditor(page, 'address', 'Residential address');
		await page.getByLabel('Street', { exact: true }).fill(V.street1);
		await page.getByLabel('Street, line 2 (optional)').fill(V.street2);
		await page.getByLabel('City').fill(V.city);
		await page.getByLabel('State or region (optional)').fill(V.state);
		await page.getByLabel('Country', { exact: true }).fill('Germany');
		await page.getByLabel('Postcode').fill(V.postCode);
		await save(page);
		await expect(row(page, 'address')).toContainText(`${V.street1}, ${V.city}, Germany`);

		// Proofs of address: a two-page bill with a translation, then one scan each.
		await openEditor(page, 'utility_bill', 'Utility bill');
		await addPhotos(scanGroup(page, 'Scans'), [SMALL, ROTATED], 'gallery');
		await addPhotos(scanGroup(page, /^Translation/), [SMALL], 'camera');
		await save(page);
		await expect(row(page, 'utility_bill')).toContainText('2 scans');
		for (const [type, title] of [
			['bank_statement', 'Bank statement'],
			['rental_agreement', 'Rental agreement'],
			['passport_registration', 'Passport registration'],
			['temporary_registration', 'Temporary registration']
		]) {
			await openEditor(page, type, title);
			await addPhotos(scanGroup(page, 'Scans'), [SMALL], 'camera');
			await save(page);
			await expect(row(page, type)).toContainText('1 scan');
		}

		// The calling code defaults to the country of residence; a "+" number ignores it.
		await openEditor(page, 'phone_number', 'Phone number');
		await expect(page.getByLabel('Country calling code')).toHaveValue('RU');
		await page.getByRole('textbox', { name: 'Phone number' }).fill(V.phone);
		await save(page);
		await expect(row(page, 'phone_number')).toContainText(V.phone);

		await openEditor(page, 'email', 'Email');
		await page.getByLabel('Email address').fill(V.email);
		await save(page);
		await expect(row(page, 'email')).toContainText(V.email);

		// After a reload everything is back, values and scans.
		await reloadAndUnlock(page);
		await expect(page.getByRole('heading', { name: 'Your papers' })).toBeVisible();
		await expect(row(page, 'passport')).toContainText(V.passportNo);
		await expect(row(page, 'email')).toContainText(V.email);
		await expect(row(page, 'temporary_registration')).toContainText('1 scan');

		await openEditor(page, 'personal_details', 'Personal details');
		await expect(page.getByLabel('First name', { exact: true })).toHaveValue(V.firstName);
		await expect(page.getByLabel('Middle name (optional)')).toHaveValue(V.middleName);
		await expect(page.getByLabel('Last name', { exact: true })).toHaveValue(V.lastName);
		await expect(page.getByLabel('Date of birth')).toHaveValue('1990-04-15');
		await expect(page.getByRole('radio', { name: 'Female' })).toBeChecked();
		await expect(page.getByLabel('Citizenship')).toHaveValue('France');
		await expect(page.getByLabel('Last name in native script')).toHaveValue(V.lastNative);
		await goHome(page);

		await openEditor(page, 'passport', 'Passport');
		await expect(page.getByLabel('Document number')).toHaveValue(V.passportNo);
		await expect(page.getByLabel('Expiry date (optional)')).toHaveValue(isoInDays(10));
		await expect(thumbnails(scanGroup(page, 'Front side'))).toHaveCount(1);
		await expect(thumbnails(scanGroup(page, /^Selfie/))).toHaveCount(1);
		await expect(thumbnails(scanGroup(page, /^Translation/))).toHaveCount(2);
		// The 3000x2000 photo with GPS, as stored: a fresh JPEG of 2048 px, nothing else.
		const front = await viewedScanBytes(page, scanGroup(page, 'Front side'));
		expectCleanJpeg(front, { width: 2048, height: 1365 });
		// The rotated one is stored upright.
		const rotated = await viewedScanBytes(page, scanGroup(page, /^Translation/), 1);
		expectCleanJpeg(rotated, { width: 800, height: 1200 });
		await goHome(page);

		await openEditor(page, 'identity_card', 'Identity card');
		await expect(thumbnails(scanGroup(page, 'Front side'))).toHaveCount(1);
		await expect(thumbnails(scanGroup(page, 'Reverse side'))).toHaveCount(1);
		await goHome(page);
		await openEditor(page, 'utility_bill', 'Utility bill');
		await expect(thumbnails(scanGroup(page, 'Scans'))).toHaveCount(2);
		await expect(thumbnails(scanGroup(page, /^Translation/))).toHaveCount(1);
		await goHome(page);
		await openEditor(page, 'address', 'Residential address');
		await expect(page.getByLabel('Street', { exact: true })).toHaveValue(V.street1);
		await expect(page.getByLabel('Country', { exact: true })).toHaveValue('Germany');
		await expect(page.getByLabel('Postcode')).toHaveValue(V.postCode);
		await goHome(page);
		await openEditor(page, 'phone_number', 'Phone number');
		await expect(page.getByRole('textbox', { name: 'Phone number' })).toHaveValue(V.phone);
		await expect(page.getByLabel('Country calling code')).toHaveValue('FR');

		// A scan shown before locking is unreachable afterwards: its object URL was revoked.
		await goHome(page);
		await openEditor(page, 'internal_passport', 'Internal passport');
		const shown = (await thumbnails(scanGroup(page, 'Front side'))
			.locator('img')
			.getAttribute('src'))!;
		expect(
			await page.evaluate(
				(url) =>
					fetch(url).then(
						() => 'readable',
						() => 'revoked'
					),
				shown
			)
		).toBe('readable');
		await page.getByRole('button', { name: 'Lock' }).click();
		await expect(page.getByRole('heading', { name: 'Unlock Papiers' })).toBeVisible();
		expect(
			await page.evaluate(
				(url) =>
					fetch(url).then(
						() => 'readable',
						() => 'revoked'
					),
				shown
			)
		).toBe('revoked');

		// IndexedDB holds ciphertext only: none of the values typed, in any encoding.
		const dump = await dumpIndexedDb(page);
		expect(dump).toContain('[papiers/scans: 16]');
		const latin1OfUtf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
		const markers = [
			V.firstName,
			V.middleName,
			V.lastName,
			V.firstNative,
			V.lastNative,
			V.passportNo,
			V.idCardNo,
			V.licenceNo,
			V.internalNo,
			V.street1,
			V.street2,
			V.city,
			V.postCode,
			V.email,
			V.phoneDigits,
			'612345678',
			'15.04.1990',
			PASSWORD
		];
		for (const marker of markers) expect(dump, marker).not.toContain(latin1OfUtf8(marker));

		// Nor when each paper was saved, nor which kind a row is from its size: every sealed row
		// is a whole size bucket (src/lib/vault/padding.ts: 512 B records, 64 KiB scans) and its
		// time in clear is a whole UTC day.
		const rows = await sealedRowShapes(page);
		expect(rows.records.length).toBeGreaterThanOrEqual(13);
		expect(rows.scans.length).toBe(16);
		const DAY = 86_400_000;
		for (const [table, step] of [
			['records', 512],
			['scans', 64 * 1024]
		] as const) {
			for (const row of rows[table]) {
				expect(row.length % step, `${table} ${row.length} B`).toBe(0);
				expect(row.at % DAY, `${table} at ${row.at}`).toBe(0);
			}
		}
	});
});

/** Length of each sealed row's ciphertext and its time in clear, read with the raw API. */
async function sealedRowShapes(page: Page) {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('papiers');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const read = (store: string) =>
			new Promise<{ length: number; at: number }[]>((resolve, reject) => {
				const request = db.transaction(store).objectStore(store).getAll();
				request.onsuccess = () =>
					resolve(
						(request.result as { ct: Uint8Array; at: number }[]).map((row) => ({
							length: row.ct.length,
							at: row.at
						}))
					);
				request.onerror = () => reject(request.error);
			});
		const shapes = { records: await read('records'), scans: await read('scans') };
		db.close();
		return shapes;
	});
}

test('invalid input is explained beside each field and saves nothing; refused photos; delete asks first', async ({
	page
}, testInfo) => {
	test.setTimeout(120_000);
	await createVault(page);

	await openEditor(page, 'personal_details', 'Personal details');
	await page.getByRole('button', { name: 'Save' }).click();
	const firstName = page.getByLabel('First name', { exact: true });
	await expect(firstName).toBeFocused();
	await expect(firstName).toHaveAttribute('aria-invalid', 'true');
	await expect(firstName).toHaveAccessibleDescription(/Required\./);
	await expect(page.getByRole('radiogroup', { name: 'Gender' })).toHaveAccessibleDescription(
		'Required.'
	);
	await expect(
		page.getByText('Nothing was saved. Correct the fields with a message next to them.')
	).toBeVisible();
	// From the first attempt on, the messages follow the input.
	await firstName.fill('Zoë');
	await expect(firstName).toHaveAccessibleDescription(
		/Contains characters that are not allowed here\./
	);
	const lastName = page.getByLabel('Last name', { exact: true });
	await lastName.fill('Quillfeather');
	await expect(lastName).not.toHaveAttribute('aria-invalid');
	await page.getByLabel('Date of birth').fill(isoInDays(3));
	await expect(page.getByLabel('Date of birth')).toHaveAccessibleDescription(
		'This date is in the future.'
	);
	await page.getByLabel('Citizenship').fill('Atlantis');
	await expect(page.getByLabel('Citizenship')).toHaveAccessibleDescription(/Unknown country\./);
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(firstName).toBeFocused();
	await expect(page.getByRole('heading', { level: 1, name: 'Personal details' })).toBeVisible();
	await goHome(page);

	await openEditor(page, 'address', 'Residential address');
	await page.getByLabel('Street', { exact: true }).fill('1 Invalid Way');
	await page.getByLabel('City').fill('X');
	await page.getByLabel('Country', { exact: true }).fill('France');
	await page.getByLabel('Postcode').fill('75 001!');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByLabel('City')).toHaveAccessibleDescription('Too short.');
	await expect(page.getByLabel('Postcode')).toHaveAccessibleDescription(
		'Use 2 to 12 Latin letters, digits or dashes.'
	);
	await goHome(page);

	await openEditor(page, 'email', 'Email');
	await page.getByLabel('Email address').fill('invalid@@example');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByLabel('Email address')).toHaveAccessibleDescription(
		'Not a valid email address.'
	);
	await goHome(page);

	await openEditor(page, 'phone_number', 'Phone number');
	await page.getByRole('textbox', { name: 'Phone number' }).fill('12');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('textbox', { name: 'Phone number' })).toHaveAccessibleDescription(
		/Not a valid phone number\. Include the country code\./
	);
	await goHome(page);

	// A passport with a number but no photo; then files that are not photos, or far too big.
	await openEditor(page, 'passport', 'Passport');
	await page.getByLabel('Document number').fill('NOPHOTO123');
	await page.getByRole('button', { name: 'Save' }).click();
	const front = scanGroup(page, 'Front side');
	await expect(front).toHaveAccessibleDescription('Add a photo.');
	await expect(front.getByRole('button', { name: /^Take a photo/ })).toBeFocused();
	let chooser = page.waitForEvent('filechooser');
	await front.getByRole('button', { name: /^Choose from gallery/ }).click();
	await (
		await chooser
	).setFiles({
		name: 'notes.txt',
		mimeType: 'image/jpeg',
		buffer: Buffer.from('not a picture at all')
	});
	await expect(front.getByRole('alert')).toHaveText(
		'notes.txt: This file is not a picture this browser can read.'
	);
	const huge = testInfo.outputPath('huge.jpg');
	const { writeFileSync } = await import('node:fs');
	writeFileSync(huge, Buffer.alloc(51 * 1024 * 1024, 0xff));
	chooser = page.waitForEvent('filechooser');
	await front.getByRole('button', { name: /^Take a photo/ }).click();
	await (await chooser).setFiles(huge);
	await expect(front.getByRole('alert')).toHaveText('huge.jpg: This file is too large.');
	await expect(thumbnails(front)).toHaveCount(0);
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Passport' })).toBeVisible();
	await goHome(page);

	// Nothing of the above reached the vault.
	await reloadAndUnlock(page);
	for (const [type, add] of [
		['personal_details', 'Add your personal details'],
		['address', 'Add your address'],
		['email', 'Add an email address'],
		['phone_number', 'Add a phone number'],
		['passport', 'Add a passport']
	]) {
		await expect(row(page, type)).toContainText(add);
	}

	// Delete: a confirmation first, Cancel keeps the element, confirming removes it for good.
	await openEditor(page, 'email', 'Email');
	await expect(page.getByRole('button', { name: 'Delete' })).toHaveCount(0);
	await page.getByLabel('Email address').fill('short-lived@example.org');
	await save(page);
	await openEditor(page, 'email', 'Email');
	await page.getByRole('button', { name: 'Delete' }).click();
	const dialog = page.getByRole('alertdialog', { name: 'Delete Email?' });
	await expect(dialog).toBeVisible();
	await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
	await dialog.getByRole('button', { name: 'Cancel' }).click();
	await expect(dialog).toBeHidden();
	await expect(page.getByLabel('Email address')).toHaveValue('short-lived@example.org');
	await page.getByRole('button', { name: 'Delete' }).click();
	await dialog.getByRole('button', { name: 'Delete for good' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Your papers' })).toBeVisible();
	await expect(row(page, 'email')).toContainText('Add an email address');
	await reloadAndUnlock(page);
	await expect(row(page, 'email')).toContainText('Add an email address');

	// Saved in another tab: this tab's overview follows without a reload.
	const other = await page.context().newPage();
	await other.goto('/');
	await unlock(other);
	await openEditor(other, 'phone_number', 'Phone number');
	await other.getByRole('textbox', { name: 'Phone number' }).fill('+49 1512 3456789');
	await save(other);
	await openEditor(other, 'email', 'Email');
	await other.getByLabel('Email address').fill('other-tab@example.org');
	const rowsBeforeEmail = await sealedRows(page);
	await save(other);
	await other.close();
	await expect(row(page, 'phone_number')).toContainText('+49 1512 3456789');
	await expect(row(page, 'email')).toContainText('other-tab@example.org');

	// A record altered in storage is flagged on the overview, the others still open, and nothing
	// is deleted. The altered one is the e-mail: the row its save added (save times are only
	// kept to the day in clear, so the row is found by what changed, not by time).
	const recordsBefore = await countRows(page, 'records');
	const emailRowId = Object.entries(await sealedRows(page)).find(
		([id, ct]) => rowsBeforeEmail[id] !== ct
	)?.[0];
	expect(emailRowId).toBeTruthy();
	await page.evaluate(async (id) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('papiers');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const store = db.transaction('records', 'readwrite').objectStore('records');
		const row = await new Promise<{ ct: Uint8Array }>((resolve) => {
			const request = store.get(id);
			request.onsuccess = () => resolve(request.result);
		});
		row.ct[row.ct.length - 1] ^= 0x01;
		await new Promise((resolve) => (store.put(row).onsuccess = resolve));
		db.close();
	}, emailRowId!);
	await reloadAndUnlock(page);
	await expect(
		page.getByRole('heading', { name: 'Some saved items could not be opened' })
	).toBeVisible();
	await expect(row(page, 'phone_number')).toContainText('+49 1512 3456789');
	await expect(row(page, 'email')).toContainText('Add an email address');
	expect(await countRows(page, 'records')).toBe(recordsBefore);

	// ?next= brings the person back where they came from after saving; an unknown type is a 404.
	await page.goto('/element/email?next=%2Fsettings');
	await unlock(page);
	await page.getByLabel('Email address').fill('back-to-settings@example.org');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
	await page.goto('/element/spaceship');
	await unlock(page);
	await expect(page.getByText('This page does not exist.')).toBeVisible();
});

test.describe('in French', () => {
	// bypassCSP: as above, to fetch the full-size view's blob: URL.
	test.use({ locale: 'fr-FR', bypassCSP: true });

	test('a passport entered in French, with French messages, and back after a reload', async ({
		page
	}) => {
		await createVault(page, PASSWORD, 'fr');
		await expect(row(page, 'passport')).toContainText('Ajouter un passeport');
		await openEditor(page, 'passport', 'Passeport');
		await page.getByRole('button', { name: 'Enregistrer' }).click();
		await expect(page.getByLabel('Numéro du document')).toHaveAccessibleDescription(
			'Champ obligatoire.'
		);
		const recto = scanGroup(page, 'Recto');
		await expect(recto).toHaveAccessibleDescription('Ajoutez une photo.');
		await expect(page.getByText('Rien n’a été enregistré.', { exact: false })).toBeVisible();

		await page.getByLabel('Numéro du document').fill('FRZ0912345');
		await page.getByLabel('Date d’expiration (facultatif)').fill('2040-12-31');
		await addPhotos(recto, [SMALL], 'camera');
		await addPhotos(scanGroup(page, /^Traduction/), [SMALL], 'gallery');
		await save(page);
		await expect(row(page, 'passport')).toContainText('FRZ0912345, expire le 31 déc. 2040');

		await openEditor(page, 'address', 'Adresse de résidence');
		await page.getByLabel('Pays', { exact: true }).fill('allemagne');
		await page.getByLabel('Pays', { exact: true }).blur();
		await expect(page.getByLabel('Pays', { exact: true })).toHaveValue('Allemagne');
		await goHome(page);

		await page.reload();
		await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
		await page.getByRole('button', { name: 'Déverrouiller' }).click();
		await expect(row(page, 'passport')).toContainText('FRZ0912345');
		await openEditor(page, 'passport', 'Passeport');
		await expect(page.getByLabel('Numéro du document')).toHaveValue('FRZ0912345');
		await expect(thumbnails(scanGroup(page, 'Recto'))).toHaveCount(1);
		await expect(thumbnails(scanGroup(page, /^Traduction/))).toHaveCount(1);
		await expect(thumbnails(recto)).toHaveAccessibleName('Voir Recto en grand');
		await expect(recto.locator('img')).toHaveAttribute('src', /^blob:/);
		const before = (await recto.locator('img').getAttribute('src'))!;

		// Replacing the front side and removing the translation deletes both old scans on save.
		expect(await countRows(page, 'scans')).toBe(2);
		const [picker] = await Promise.all([
			page.waitForEvent('filechooser'),
			recto.getByRole('button', { name: 'En choisir une autre dans la galerie, Recto' }).click()
		]);
		await picker.setFiles(ROTATED);
		await expect(recto.locator('img')).not.toHaveAttribute('src', before);
		await expect(thumbnails(recto)).toHaveCount(1);
		await scanGroup(page, /^Traduction/)
			.getByRole('button', { name: 'Supprimer, Traduction, 1 sur 1' })
			.click();
		await expect(thumbnails(scanGroup(page, /^Traduction/))).toHaveCount(0);
		await save(page);
		expect(await countRows(page, 'scans')).toBe(1);
		await openEditor(page, 'passport', 'Passeport');
		const replaced = await viewedScanBytes(page, recto);
		expect(readJpegSize(replaced)).toEqual({ width: 800, height: 1200 });
	});
});
