/**
 * Backup files in Chromium: saved as a download on one device, the device erased, the vault
 * restored on a fresh profile with every paper and scan equal; damaged files and a wrong
 * password refused with nothing written; a backup merged into a vault changed since shows the
 * difference as a conflict.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { createVault, PASSWORD } from './helpers';
import { addFromHome, fillEmail, fillIdDocument, homeRow, SMALL_SCAN, ROTATED_SCAN } from './fill';

const EMAIL = 'backup.person@example.org';

interface StoredRow {
	id: string;
	v: number;
	at: number;
	ct: string;
}

/** The vault database's rows as stored (ct in base64), read without the app's code. */
async function storedRows(page: Page) {
	return page.evaluate(async () => {
		const names = (await indexedDB.databases()).map((database) => database.name);
		if (!names.includes('papiers')) return { headers: 0, records: [], scans: [] };
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('papiers');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const all = (store: string) =>
			new Promise<unknown[]>((resolve, reject) => {
				if (!db.objectStoreNames.contains(store)) return resolve([]);
				const request = db.transaction(store).objectStore(store).getAll();
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
		const encode = (rows: unknown[]) =>
			(rows as { id: string; v: number; at: number; ct: Uint8Array }[]).map((row) => ({
				id: row.id,
				v: row.v,
				at: row.at,
				ct: btoa(Array.from(row.ct, (byte) => String.fromCharCode(byte)).join(''))
			}));
		const result = {
			headers: (await all('header')).length,
			records: encode(await all('records')),
			scans: encode(await all('scans'))
		};
		db.close();
		return result;
	});
}

/** In-app navigation: a page load would lock the vault. */
async function openTab(page: Page, name: 'Papers' | 'Settings') {
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
}

async function saveBackupFromSettings(page: Page): Promise<Buffer> {
	await openTab(page, 'Settings');
	const downloading = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Save a backup file', exact: true }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toMatch(/^papiers-\d{4}-\d{2}-\d{2}\.papiers$/);
	return readFile((await download.path())!);
}

async function restoreOnSetup(page: Page, file: Buffer, password = PASSWORD) {
	const form = page.getByRole('region', { name: 'Restore from a backup file' });
	await form.getByLabel('Backup file (.papiers)').setInputFiles({
		name: 'papiers-backup.papiers',
		mimeType: 'application/octet-stream',
		buffer: file
	});
	await form.getByLabel('Password of the vault in the backup', { exact: true }).fill(password);
	await form.getByRole('button', { name: 'Restore' }).click();
}

async function freshPage(browser: Browser): Promise<Page> {
	const context = await browser.newContext();
	return context.newPage();
}

test('saved on one device, erased, restored on a fresh profile: every paper and scan equal', async ({
	page,
	browser
}) => {
	test.setTimeout(180_000); // Argon2id at the shipped cost three times, and scans re-encoded
	await createVault(page);
	await addFromHome(page, 'email', (editor) => fillEmail(editor, EMAIL));
	await addFromHome(page, 'passport', (editor) =>
		fillIdDocument(editor, { number: 'P1234567', front: [SMALL_SCAN], selfie: [ROTATED_SCAN] })
	);

	// Papers, no other device, no backup yet: the home screen says so, one tap saves.
	const reminder = page.getByTestId('backup-reminder');
	await expect(reminder).toBeVisible({ timeout: 15_000 });
	const downloading = page.waitForEvent('download');
	await reminder.getByRole('button', { name: 'Save a backup file now' }).click();
	await downloading;
	await expect(reminder).toBeHidden();

	const file = await saveBackupFromSettings(page);
	await expect(page.getByTestId('backup-last')).toContainText('Last backup from this device');
	const before = await storedRows(page);
	expect(before.scans.length).toBe(2);
	// Only ciphertext: the email is nowhere in the file.
	expect(file.includes(Buffer.from(EMAIL))).toBe(false);

	// Erase this device.
	await page.goto('/reset');
	await page.getByLabel('Type ERASE to confirm').fill('ERASE');
	await page.getByRole('button', { name: 'Erase everything' }).click();
	await expect(page).toHaveURL(/\/setup$/);

	const fresh = await freshPage(browser);
	await fresh.goto('/');
	await expect(fresh).toHaveURL(/\/setup$/);
	await restoreOnSetup(fresh, file);
	await expect(fresh.getByRole('heading', { level: 1, name: 'Your papers' })).toBeVisible({
		timeout: 30_000
	});
	await expect(homeRow(fresh, 'email')).toContainText(EMAIL);
	await expect(homeRow(fresh, 'passport')).toContainText('P1234567');

	// Every row of the vault came back byte for byte (the restored device then adds its own
	// device record, hence "contains").
	const after = await storedRows(fresh);
	expect(after.headers).toBe(1);
	const byId = (rows: StoredRow[]) => new Map(rows.map((row) => [row.id, row]));
	const restoredRecords = byId(after.records);
	for (const row of before.records) expect(restoredRecords.get(row.id)).toEqual(row);
	expect(after.scans).toEqual(expect.arrayContaining(before.scans));
	expect(after.scans.length).toBe(before.scans.length);

	// And the scans open: the passport's pictures are shown.
	await homeRow(fresh, 'passport').click();
	const pictures = fresh.getByRole('button', { name: /^View / });
	await expect(pictures).toHaveCount(2, { timeout: 15_000 });
	for (const picture of await pictures.all()) {
		await expect(picture.locator('img')).toHaveJSProperty('complete', true);
		expect(
			await picture.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)
		).toBeGreaterThan(0);
	}
	await fresh.context().close();
});

test('a truncated file, a flipped bit and a wrong password change nothing', async ({
	page,
	browser
}) => {
	test.setTimeout(180_000);
	await createVault(page);
	await addFromHome(page, 'email', (editor) => fillEmail(editor, EMAIL));
	const file = await saveBackupFromSettings(page);

	const fresh = await freshPage(browser);
	await fresh.goto('/setup');
	const alert = fresh
		.getByRole('region', { name: 'Restore from a backup file' })
		.getByRole('alert');
	const flipped = Buffer.from(file);
	flipped[Math.floor(flipped.length / 2)] ^= 0x10;
	const attempts: [Buffer, string, RegExp][] = [
		[file.subarray(0, file.length - 1), PASSWORD, /damaged, incomplete or was altered/],
		[file.subarray(0, Math.floor(file.length / 2)), PASSWORD, /damaged, incomplete or was altered/],
		[flipped, PASSWORD, /damaged, incomplete or was altered/],
		[file, 'not the password', /Wrong password for this backup/]
	];
	for (const [bytes, password, message] of attempts) {
		await restoreOnSetup(fresh, bytes, password);
		await expect(alert).toHaveText(message, { timeout: 30_000 });
		expect(await storedRows(fresh)).toEqual({ headers: 0, records: [], scans: [] });
		await expect(fresh).toHaveURL(/\/setup$/);
	}
	// The same form then restores the intact file.
	await restoreOnSetup(fresh, file);
	await expect(homeRow(fresh, 'email')).toContainText(EMAIL, { timeout: 30_000 });
	await fresh.context().close();
});

test('a backup merged into the vault changed since: the difference is a conflict', async ({
	page
}) => {
	test.setTimeout(180_000);
	await createVault(page);
	await addFromHome(page, 'email', (editor) => fillEmail(editor, EMAIL));
	const file = await saveBackupFromSettings(page);
	await openTab(page, 'Papers');
	await homeRow(page, 'email').click();
	await expect(page.getByRole('button', { name: 'Save' })).toBeVisible();
	await fillEmail(page, 'changed.since@example.org');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(homeRow(page, 'email')).toContainText('changed.since@example.org');

	await openTab(page, 'Settings');
	const section = page.getByRole('region', { name: 'Backup' });
	await section
		.getByLabel('Backup file (.papiers)')
		.setInputFiles({ name: 'backup.papiers', mimeType: 'application/octet-stream', buffer: file });
	await section.getByLabel('Password of the vault in the backup', { exact: true }).fill(PASSWORD);
	await section.getByRole('button', { name: 'Add from the backup' }).click();
	await expect(section.getByRole('status').filter({ hasText: 'Done:' })).toContainText(
		'1 kept as conflicts',
		{ timeout: 30_000 }
	);
	await section.getByRole('link', { name: 'Resolve the conflicts' }).click();
	await expect(page.getByText(EMAIL)).toBeVisible({ timeout: 15_000 });
	await expect(page.getByText('changed.since@example.org')).toBeVisible();
	// Keeping the backup's version settles it.
	const keep = page.getByRole('button', { name: /^Keep version/ });
	await expect(keep).toHaveCount(2);
	await page
		.locator('li', { hasText: EMAIL })
		.getByRole('button', { name: /^Keep version/ })
		.click();
	await openTab(page, 'Papers');
	await expect(homeRow(page, 'email')).toContainText(EMAIL, { timeout: 15_000 });
});

test.describe('in French', () => {
	test.use({ locale: 'fr-FR' });

	test('a file from a newer version and a file that is not a backup are refused, in French', async ({
		page
	}) => {
		await page.goto('/setup');
		const form = page.getByRole('region', { name: 'Restaurer un fichier de sauvegarde' });
		// Said as soon as the file is chosen, and again if the form is sent anyway.
		const attempt = async (buffer: Buffer, message: RegExp) => {
			await form
				.getByLabel('Fichier de sauvegarde (.papiers)')
				.setInputFiles({ name: 'x.papiers', mimeType: 'application/octet-stream', buffer });
			await expect(form.getByRole('alert')).toHaveText(message);
			await form.getByLabel('Mot de passe du coffre sauvegardé', { exact: true }).fill(PASSWORD);
			await form.getByRole('button', { name: 'Restaurer' }).click();
			await expect(form.getByRole('alert')).toHaveText(message);
		};
		const newer = Buffer.concat([Buffer.from('PAPIERS-BACKUP\n'), Buffer.from([0, 2, 0, 0])]);
		await attempt(
			newer,
			/faite par une version plus récente de Papiers : mettez d'abord l'application à jour/
		);
		await attempt(Buffer.from('not a backup at all'), /n'est pas une sauvegarde Papiers/);
		expect(await storedRows(page)).toEqual({ headers: 0, records: [], scans: [] });
	});
});
