/**
 * Filling the element editors (src/lib/components/elements/ElementEditor.svelte) the way a person
 * does, wherever the editor is shown: the /element/<type> page or, later, inline on the consent
 * screen. Every helper takes the part of the page that holds the editor.
 *
 */

import { expect, type Locator, type Page } from '@playwright/test';
import { join } from 'node:path';

const SCANS = join(import.meta.dirname, '../fixtures/scans');
/** 3000x2000, stored by the wallet as 2048x1365. */
export const LARGE_SCAN = join(SCANS, 'gps-large-3000x2000.jpg');
/** 640x480, stored as is (re-encoded). */
export const SMALL_SCAN = join(SCANS, 'gps-small-640x480.jpg');
/** 1200x800 with EXIF orientation 6, stored upright as 800x1200. */
export const ROTATED_SCAN = join(SCANS, 'gps-rotated-1200x800-orientation6.jpg');

export type Scope = Page | Locator;

const pageOf = (scope: Scope): Page => ('page' in scope ? scope.page() : scope);

export const scanGroup = (scope: Scope, name: RegExp | string) =>
	scope.getByRole('group', { name });
export const thumbnails = (group: Locator) => group.getByRole('button', { name: /^(View|Voir) / });

/** The row of an element on the papers page (home), a link to its editor. */
export const homeRow = (page: Page, type: string) =>
	page.locator(`main a[href="/element/${type}"]`);

/**
 * Adds photos to a scan part the way a person does: "Take a photo" or "Choose from gallery", then
 * the phone's picker (checking which camera the button asks for); waits for the thumbnails
 * (capture downscales and re-encodes each one).
 */
export async function addPhotos(
	group: Locator,
	files: string[] | { name: string; mimeType: string; buffer: Buffer }[],
	how: 'camera' | 'gallery' = 'gallery',
	camera: 'environment' | 'user' = 'environment'
) {
	const before = await thumbnails(group).count();
	const chooser = group.page().waitForEvent('filechooser');
	const name =
		how === 'camera'
			? /^(Take a photo|Prendre une photo)/
			: /^(Choose from gallery|Choisir dans la galerie)/;
	await group.getByRole('button', { name }).click();
	const picker = await chooser;
	expect(await picker.element().getAttribute('capture')).toBe(how === 'camera' ? camera : null);
	await picker.setFiles(files);
	await expect(thumbnails(group)).toHaveCount(before + files.length, { timeout: 30_000 });
}

export interface PersonalDetails {
	firstName: string;
	middleName?: string;
	lastName: string;
	/** yyyy-mm-dd, as the date input takes it. */
	birthDate: string;
	gender: 'Female' | 'Male';
	citizenship: string;
	residence: string;
}

export async function fillPersonalDetails(scope: Scope, person: PersonalDetails) {
	await scope.getByLabel('First name', { exact: true }).fill(person.firstName);
	if (person.middleName !== undefined) {
		await scope.getByLabel('Middle name (optional)').fill(person.middleName);
	}
	await scope.getByLabel('Last name', { exact: true }).fill(person.lastName);
	await scope.getByLabel('Date of birth').fill(person.birthDate);
	await scope.getByRole('radio', { name: person.gender }).check();
	await scope.getByLabel('Citizenship').fill(person.citizenship);
	await scope.getByLabel('Citizenship').blur();
	await scope.getByLabel('Country of residence').fill(person.residence);
	await scope.getByLabel('Country of residence').blur();
}

export interface IdDocument {
	number: string;
	/** yyyy-mm-dd; left empty when absent. */
	expiry?: string;
	front: string[];
	reverse?: string[];
	selfie?: string[];
}

export async function fillIdDocument(scope: Scope, document: IdDocument) {
	await scope.getByLabel('Document number').fill(document.number);
	if (document.expiry) await scope.getByLabel(/^Expiry date/).fill(document.expiry);
	await addPhotos(scanGroup(scope, 'Front side'), document.front, 'camera');
	if (document.reverse)
		await addPhotos(scanGroup(scope, 'Reverse side'), document.reverse, 'camera');
	if (document.selfie)
		await addPhotos(scanGroup(scope, /^Selfie/), document.selfie, 'camera', 'user');
}

export interface Address {
	street1: string;
	street2?: string;
	city: string;
	state?: string;
	country: string;
	postCode: string;
}

export async function fillAddress(scope: Scope, address: Address) {
	await scope.getByLabel('Street', { exact: true }).fill(address.street1);
	if (address.street2) await scope.getByLabel('Street, line 2 (optional)').fill(address.street2);
	await scope.getByLabel('City').fill(address.city);
	if (address.state) await scope.getByLabel('State or region (optional)').fill(address.state);
	await scope.getByLabel('Country', { exact: true }).fill(address.country);
	await scope.getByLabel('Country', { exact: true }).blur();
	await scope.getByLabel('Postcode').fill(address.postCode);
}

/** Utility bill, bank statement…: the document's pages. */
export async function fillProofScans(scope: Scope, files: string[]) {
	await addPhotos(scanGroup(scope, 'Scans'), files, 'gallery');
}

export async function fillPhone(scope: Scope, phone: string) {
	await scope.getByRole('textbox', { name: 'Phone number' }).fill(phone);
}

export async function fillEmail(scope: Scope, email: string) {
	await scope.getByLabel('Email address').fill(email);
}

/**
 * Presses Save. The button's label changes while saving, so callers wait for what the host shows
 * once the element is stored (the papers page, the consent screen).
 */
export async function saveEditor(scope: Scope) {
	await scope.getByRole('button', { name: /^(Save|Enregistrer)$/ }).click();
}

/** From the papers page: opens an element's editor page, runs `fill`, saves, back home. */
export async function addFromHome(page: Page, type: string, fill: (page: Page) => Promise<void>) {
	await homeRow(page, type).click();
	await expect(page.getByRole('button', { name: /^(Save|Enregistrer)$/ })).toBeVisible();
	await fill(page);
	await saveEditor(page);
	await expect(
		pageOf(page).getByRole('heading', { level: 1, name: /^(Your papers|Vos papiers)$/ })
	).toBeVisible({ timeout: 15_000 });
}
