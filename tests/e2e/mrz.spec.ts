/**
 * "Type the MRZ lines" in the passport editor (issue 13): valid lines fill the document and
 * propose the personal details, a wrong check digit is flagged instead of filled, garbage gets a
 * clear error, and what the person confirms is saved only by Save.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { createVault } from './helpers';
import { authorizeAndReceive, startCallbackServer, WALLET_URL } from './consent-helpers';
import { SMALL_SCAN, addPhotos, homeRow, saveEditor, scanGroup } from './fill';
import { ERIKA, replaceAt, td3 } from '../fixtures/mrz/mrz-lines.js';

const LINES = td3(ERIKA);

async function openPassport(page: Page) {
	await homeRow(page, 'passport').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Passport' })).toBeVisible();
}

async function typeMrz(page: Page, lines: string[]) {
	const box = page.getByLabel('Machine-readable zone (MRZ)');
	if (!(await box.isVisible())) await page.getByText('Type the MRZ lines').click();
	await box.fill(lines.join('\n'));
	await page.getByRole('button', { name: 'Check and fill' }).click();
}

const proposal = (page: Page, key: string) => page.locator(`[data-mrz-field="${key}"]`);

test.beforeEach(async ({ page }) => {
	await createVault(page);
});

test('valid lines fill the document, propose the personal details, and Save stores both', async ({
	page
}) => {
	await openPassport(page);
	await typeMrz(page, LINES);
	await expect(
		page.getByRole('status').filter({ hasText: 'Every check digit matches' })
	).toBeVisible();
	await expect(page.getByLabel('Document number')).toHaveValue('C01X00T47');
	await expect(page.getByLabel(/^Expiry date/)).toHaveValue('2031-02-28');
	await expect(proposal(page, 'document_no')).toContainText('Check digit matches');

	// Nothing is stored yet: every personal value is proposed, ticked in advance.
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

	// Nothing is saved before Save: leave, and neither element holds anything.
	await page.getByRole('link', { name: '← Back' }).click();
	await homeRow(page, 'personal_details').click();
	await expect(page.getByLabel('Last name', { exact: true })).toHaveValue('');
	await page.getByRole('link', { name: '← Back' }).click();
	await openPassport(page);
	await expect(page.getByLabel('Document number')).toHaveValue('');

	await typeMrz(page, LINES);
	await expect(page.getByLabel('Document number')).toHaveValue('C01X00T47');
	// The person keeps citizenship out of it.
	await proposal(page, 'country_code').getByRole('checkbox').uncheck();
	await addPhotos(scanGroup(page, 'Front side'), [SMALL_SCAN], 'camera');
	await saveEditor(page);
	await expect(page.getByRole('heading', { level: 1, name: 'Your papers' })).toBeVisible({
		timeout: 15_000
	});

	await homeRow(page, 'personal_details').click();
	await expect(page.getByLabel('First name', { exact: true })).toHaveValue('Erika');
	await expect(page.getByLabel('Last name', { exact: true })).toHaveValue('Mustermann');
	await expect(page.getByLabel('Date of birth')).toHaveValue('1964-08-12');
	await expect(page.getByRole('radio', { name: 'Female' })).toBeChecked();
	await expect(page.getByLabel('Citizenship')).toHaveValue('');
	await page.getByRole('link', { name: '← Back' }).click();

	await openPassport(page);
	await expect(page.getByLabel('Document number')).toHaveValue('C01X00T47');
	await expect(page.getByLabel(/^Expiry date/)).toHaveValue('2031-02-28');
	// Typing the same lines again: the personal details now match, nothing to confirm.
	await typeMrz(page, LINES);
	await expect(page.locator('[data-mrz-field="last_name"]')).toHaveCount(0);
	await expect(page.locator('[data-mrz-field="country_code"]').getByRole('checkbox')).toBeChecked();
});

test('one wrong check digit: the field is flagged, not filled, until the person uses it', async ({
	page
}) => {
	await openPassport(page);
	// Document number C01X00T47 typed C01X00T44: no look-alike explains it.
	await typeMrz(page, [LINES[0], replaceAt(LINES[1], 8, '4')]);
	await expect(
		page.getByRole('status').filter({ hasText: 'Some check digits do not match' })
	).toBeVisible();
	const documentNo = proposal(page, 'document_no');
	await expect(documentNo).toHaveAttribute('data-flagged', 'true');
	await expect(documentNo).toContainText('C01X00T44');
	await expect(documentNo).toContainText('Check digit does not match');
	await expect(page.getByLabel('Document number')).toHaveValue('');
	// The expiry date's own check passes: it is filled.
	await expect(page.getByLabel(/^Expiry date/)).toHaveValue('2031-02-28');

	// The open panel, flagged field and personal proposals included, passes axe (serious and
	// critical rules, as a11y.spec.ts) and fits a 360 px screen.
	await page.setViewportSize({ width: 360, height: 800 });
	const { violations } = await new AxeBuilder({ page }).analyze();
	expect(
		violations
			.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
			.map((violation) => violation.id)
	).toEqual([]);
	expect(
		await page.evaluate(
			() => document.documentElement.scrollWidth - document.documentElement.clientWidth
		)
	).toBeLessThanOrEqual(0);

	await documentNo.getByRole('button', { name: 'Use this value' }).click();
	await expect(page.getByLabel('Document number')).toHaveValue('C01X00T44');
});

test('garbage gets a clear error and fills nothing', async ({ page }) => {
	await openPassport(page);
	await typeMrz(page, ['hello, world']);
	await expect(page.getByRole('alert').filter({ hasText: 'only letters A to Z' })).toBeVisible();
	await expect(page.getByLabel('Machine-readable zone (MRZ)')).toHaveAttribute(
		'aria-invalid',
		'true'
	);
	await typeMrz(page, [LINES[0], LINES[1].slice(0, 30)]);
	await expect(
		page.getByRole('alert').filter({ hasText: 'These are not MRZ lines' })
	).toBeVisible();
	await expect(page.getByLabel('Document number')).toHaveValue('');
	await expect(page.locator('[data-mrz-field]')).toHaveCount(0);
});

test('what the MRZ filled reaches a service: the consent delivery decrypts with the kit', async ({
	page
}) => {
	test.setTimeout(120_000);
	const service = await startCallbackServer();
	try {
		await openPassport(page);
		await typeMrz(page, LINES);
		await expect(page.getByLabel('Document number')).toHaveValue('C01X00T47');
		await addPhotos(scanGroup(page, 'Front side'), [SMALL_SCAN], 'camera');
		await saveEditor(page);
		await expect(page.getByRole('heading', { level: 1, name: 'Your papers' })).toBeVisible({
			timeout: 15_000
		});
		// The MRZ has no country of residence: the person adds it.
		await homeRow(page, 'personal_details').click();
		await page.getByLabel('Country of residence').fill('Germany');
		await page.getByLabel('Country of residence').blur();
		await saveEditor(page);
		await expect(page.getByRole('heading', { level: 1, name: 'Your papers' })).toBeVisible({
			timeout: 15_000
		});

		const passport = await authorizeAndReceive({
			page,
			service,
			botId: '777000111',
			scope: { v: 1, d: ['pd', 'pp'] },
			nonce: 'nonce-mrz'
		});
		expect(passport.byType.passport?.data).toEqual({
			document_no: 'C01X00T47',
			expiry_date: '28.02.2031'
		});
		expect(passport.byType.personal_details?.data).toMatchObject({
			first_name: 'Erika',
			middle_name: '',
			last_name: 'Mustermann',
			birth_date: '12.08.1964',
			gender: 'female',
			country_code: 'DE',
			residence_country_code: 'DE'
		});
	} finally {
		await service.close();
	}
});
