/**
 * The consent page (PROTOCOL.md 1, 4.3, 5) driven through the real example service
 * (example/server.js on localhost:4174) and through requests built with the service kit.
 */

import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PASSWORD, createVault, unlock, waitForServiceWorker } from './helpers';
import {
	EXAMPLE_ORIGIN,
	EXAMPLE_URL,
	WALLET_ORIGIN,
	WALLET_URL,
	createVaultInPlace,
	editFromConsent,
	expectConsentScreen,
	fingerprintOf,
	makeServiceKey,
	openSignUp,
	receivedDelivery,
	startCallbackServer,
	watchForLeaks,
	withParam,
	type CallbackServer,
	type ServiceKey
} from './consent-helpers';
import {
	buildConsentUrl,
	type PassportElementError,
	type ScopeInput
} from '../../src/lib/service/index';
import {
	LARGE_SCAN,
	ROTATED_SCAN,
	SMALL_SCAN,
	addFromHome,
	addPhotos,
	fillAddress,
	fillEmail,
	fillIdDocument,
	fillPersonalDetails,
	fillPhone,
	fillProofScans,
	scanGroup
} from './fill';

/** What the person enters, and how the service must show it back. */
const PERSON = {
	firstName: 'Aurelie',
	middleName: 'Ines',
	lastName: 'Vantongeren',
	birthDate: '1987-09-23',
	gender: 'Female' as const,
	citizenship: 'France',
	residence: 'Belgium'
};
const CARD = { number: 'IDX7781203', expiry: '2034-06-30' };
const HOME = {
	street1: '12 Rue des Lavandieres',
	street2: 'Appartement 4',
	city: 'Namur',
	country: 'Belgium',
	postCode: 'B-5000'
};
const PHONE = { typed: '+32 470 12 34 56', digits: '32470123456' };
const EMAIL = 'aurelie.vantongeren@example.org';

test('sign up: consent URL, password, fill what is missing, Authorize, the service shows it all', async ({
	page
}) => {
	test.setTimeout(240_000);
	await openSignUp(page);
	await page.getByRole('link', { name: 'Sign up with Papiers' }).click();
	await createVaultInPlace(page);
	await expectConsentScreen(page, EXAMPLE_ORIGIN);
	const edit = (button: string, fill: (page: Page) => Promise<void>) =>
		editFromConsent(page, { button, origin: EXAMPLE_ORIGIN, fill });

	await edit('Fill in Personal details', (p) => fillPersonalDetails(p, PERSON));
	// The identity document is a choice; pick the identity card (front, reverse, and the selfie
	// this service asks for).
	await expect(page.getByRole('group', { name: 'Choose which document to share' })).toHaveCount(2);
	await page.getByRole('radio', { name: 'Identity card' }).check();
	await expect(page.getByText('Selfie with the document')).toBeVisible();
	await edit('Fill in Identity card', async (p) => {
		await fillIdDocument(p, { ...CARD, front: [LARGE_SCAN], reverse: [SMALL_SCAN] });
		// The editor knows what this service asks for: no saving without the selfie.
		const selfie = scanGroup(p, /^Selfie/);
		await expect(selfie).not.toHaveAccessibleName(/optional/);
		await p.getByRole('button', { name: 'Save', exact: true }).click();
		await expect(selfie).toHaveAccessibleDescription(/^Add a photo\./);
		await expect(p.getByRole('heading', { level: 1, name: 'Identity card' })).toBeVisible();
		await addPhotos(selfie, [ROTATED_SCAN], 'camera', 'user');
	});
	await edit('Fill in Residential address', (p) => fillAddress(p, HOME));
	await edit('Fill in Utility bill', (p) => fillProofScans(p, [SMALL_SCAN, ROTATED_SCAN]));
	await edit('Fill in Phone number', (p) => fillPhone(p, PHONE.typed));
	await edit('Fill in Email', (p) => fillEmail(p, EMAIL));

	// Everything asked for is there; the stored identity card is now the default choice.
	await expect(page.getByRole('radio', { name: 'Identity card' })).toBeChecked();
	await expect(page.getByRole('radio', { name: 'Utility bill' })).toBeChecked();
	await expect(page.getByRole('button', { name: /^Fill in / })).toHaveCount(0);
	await expect(page.locator('.badge.ok', { hasText: 'Ready' })).toHaveCount(6);
	const authorize = page.getByRole('button', { name: 'Authorize' });
	await expect(authorize).toBeEnabled();
	await authorize.click();

	await expect(page).toHaveURL(`${EXAMPLE_URL}/callback`, { timeout: 20_000 });
	await expect(
		page.getByRole('heading', { name: 'Check your details and choose a password' })
	).toBeVisible();
	const expected: [string, string][] = [
		['First name', PERSON.firstName],
		['Middle name', PERSON.middleName],
		['Last name', PERSON.lastName],
		['Birth date', '23.09.1987'],
		['Gender', 'female'],
		['Citizenship', 'FR'],
		['Country of residence', 'BE'],
		['Street', HOME.street1],
		['Street (line 2)', HOME.street2],
		['City', HOME.city],
		['Post code', HOME.postCode],
		['Country', 'BE'],
		['Phone', `+${PHONE.digits}`],
		['Email', EMAIL],
		['Document number', CARD.number],
		['Expiry date', '30.06.2034']
	];
	for (const [label, value] of expected) {
		await expect(page.getByLabel(label, { exact: true })).toHaveValue(value);
	}
	await expect(page.getByRole('group', { name: 'Identity card' })).toBeVisible();
	await expect(page.getByRole('group', { name: 'Proof of address: Utility bill' })).toBeVisible();

	// Scan thumbnails: decrypted by the service, decodable, each the picture that was given
	// (sizes as the wallet stores them: 2048 px at most, EXIF rotation applied).
	const sizes = () =>
		page
			.getByRole('img')
			.evaluateAll((images) =>
				(images as HTMLImageElement[]).map((image) => [
					image.alt,
					`${image.naturalWidth}x${image.naturalHeight}`
				])
			);
	await expect.poll(sizes).toEqual([
		['Front side', '2048x1365'],
		['Reverse side', '640x480'],
		['Selfie', '800x1200'],
		['Page 1', '640x480'],
		['Page 2', '800x1200']
	]);
});

test('cancel: asks for confirmation, then the service shows its cancel message', async ({
	page
}) => {
	const { fingerprint } = await openSignUp(page);
	await page.getByRole('link', { name: 'Sign up with Papiers' }).click();
	await expect(page).toHaveURL(new RegExp(`^${WALLET_URL}/authorize\\?`));
	await expect(
		page.getByRole('heading', { name: `${EXAMPLE_ORIGIN} asks for your papers` })
	).toBeVisible();
	await createVaultInPlace(page);
	await expectConsentScreen(page, EXAMPLE_ORIGIN);

	// What the person is shown about the recipient matches what the service itself publishes.
	await expect(page.getByText(fingerprint, { exact: true })).toBeVisible();
	await expect(page.getByText('Example Service (claimed by the site, not verified)')).toBeVisible();
	await expect(page.getByText('1000000001', { exact: true })).toBeVisible();
	// Nothing is filled yet: the example asks for six rows and Authorize cannot be pressed.
	await expect(page.getByRole('button', { name: /^Fill in / })).toHaveCount(6);
	await expect(page.getByRole('button', { name: 'Authorize' })).toBeDisabled();
	await expect(page.getByText('Fill in every requested item to continue.')).toBeVisible();

	// "No" keeps the request open.
	await page.getByRole('button', { name: 'Cancel', exact: true }).click();
	const dialog = page.getByRole('alertdialog', { name: 'Cancel this request?' });
	await expect(dialog).toBeVisible();
	await expect(dialog).toContainText(`Nothing will be shared with ${EXAMPLE_ORIGIN}.`);
	await dialog.getByRole('button', { name: 'No, go back' }).click();
	await expect(dialog).toBeHidden();
	await expect(page).toHaveURL(new RegExp(`^${WALLET_URL}/authorize\\?`));

	await page.getByRole('button', { name: 'Cancel', exact: true }).click();
	await dialog.getByRole('button', { name: 'Yes, cancel and return' }).click();
	await expect(page).toHaveURL(`${EXAMPLE_URL}/callback?tg_passport=cancel`);
	await expect(page.getByRole('heading', { name: 'Sign-up cancelled' })).toBeVisible();
	await expect(page.getByText('You cancelled in Papiers. Nothing was shared.')).toBeVisible();

	// The wallet kept a record of the refusal (a deep link while locked: unlock, then history).
	await page.goto(`${WALLET_URL}/history`);
	await unlock(page);
	await expect(page.getByRole('heading', { level: 1, name: 'History' })).toBeVisible();
	const entry = page.getByRole('link', { name: new RegExp(EXAMPLE_ORIGIN) });
	await expect(entry).toHaveCount(1);
	await expect(entry).toContainText('Cancelled');
});

test.describe('a malformed request', () => {
	for (const language of ['en', 'fr'] as const) {
		const text = {
			en: {
				title: 'This request cannot be processed',
				scope: 'The list of requested data is malformed.',
				callback: "The request's return address is missing or unsafe.",
				noReturn: 'The request gave no valid address to return to',
				returnTo: `Return to ${EXAMPLE_ORIGIN}`
			},
			fr: {
				title: 'Cette demande ne peut pas être traitée',
				scope: 'La liste des données demandées est mal formée.',
				callback: 'L’adresse de retour de la demande est absente ou dangereuse.',
				noReturn: 'La demande n’indique aucune adresse de retour valide',
				returnTo: `Revenir sur ${EXAMPLE_ORIGIN}`
			}
		}[language];

		test.describe(`in ${language}`, () => {
			test.use({ locale: language === 'en' ? 'en-US' : 'fr-FR' });

			test('broken scope JSON: error screen, "Return" reports SCOPE_INVALID to the service', async ({
				page
			}) => {
				const { consentUrl } = await openSignUp(page);
				const scope = new URL(consentUrl).searchParams.get('scope')!;
				await page.goto(withParam(consentUrl, 'scope', scope.slice(0, -2)));
				const screen = page.getByTestId('consent-error');
				await expect(screen.getByRole('heading', { name: text.title })).toBeVisible();
				await expect(screen.getByRole('alert')).toHaveText(text.scope);
				await expect(screen).toContainText('SCOPE_INVALID');
				await page.getByRole('button', { name: text.returnTo }).click();
				await expect(page).toHaveURL(
					`${EXAMPLE_URL}/callback?tg_passport=error&error=SCOPE_INVALID`
				);
				await expect(
					page.getByRole('heading', { name: 'Papiers could not process our request' })
				).toBeVisible();
				await expect(page.getByText('Error code: SCOPE_INVALID')).toBeVisible();
			});

			test('invalid callback: error screen, no way back, nothing sent anywhere', async ({
				page
			}) => {
				const { consentUrl } = await openSignUp(page);
				const watch = watchForLeaks(page);
				const broken = withParam(
					withParam(consentUrl, 'scope', '{"v":1,"d":['),
					'callback_url',
					'callback'
				);
				await page.goto(broken);
				const screen = page.getByTestId('consent-error');
				// The scope is broken too, but with no valid callback the code reported is still the
				// first problem found, and there is nobody to report it to.
				await expect(screen.getByRole('heading', { name: text.title })).toBeVisible();
				await expect(screen).toContainText('SCOPE_INVALID');
				await expect(screen.getByText(text.noReturn)).toBeVisible();
				await expect(page.getByRole('button')).toHaveCount(0);

				await page.goto(withParam(consentUrl, 'callback_url', 'callback'));
				await expect(screen.getByRole('alert')).toHaveText(text.callback);
				await expect(screen).toContainText('CALLBACK_URL_INVALID');
				await expect(page.getByRole('button')).toHaveCount(0);
				await page.waitForTimeout(500);
				expect(new URL(page.url()).origin).toBe(WALLET_ORIGIN);
				expect(watch).toEqual({ requests: [], navigations: [], dialogs: [], pageErrors: [] });
			});
		});
	}
});

test.describe('unsafe callbacks are refused', () => {
	const unsafe = [
		'javascript:alert(document.domain)',
		'javascript://localhost/%0aalert(1)',
		'data:text/html,<script>alert(1)</script>',
		'http://example.com/cb',
		'http://localhost.example.com:4174/callback',
		'vbscript:msgbox(1)',
		'https://user:secret@localhost:4174/callback',
		'//localhost:4174/callback'
	];
	for (const callback of unsafe) {
		test(callback, async ({ page }) => {
			const { consentUrl } = await openSignUp(page);
			const watch = watchForLeaks(page);
			await page.goto(withParam(consentUrl, 'callback_url', callback));
			const screen = page.getByTestId('consent-error');
			await expect(screen.getByRole('alert')).toHaveText(
				"The request's return address is missing or unsafe."
			);
			await expect(screen).toContainText('Error code: CALLBACK_URL_INVALID');
			await expect(
				screen.getByText('The request gave no valid address to return to')
			).toBeVisible();
			await expect(page.getByRole('button')).toHaveCount(0);
			await expect(page.getByRole('link')).toHaveCount(0);
			// Give a delayed navigation (a timer, a meta refresh) the chance to show itself.
			await page.waitForTimeout(750);
			expect(new URL(page.url()).origin).toBe(WALLET_ORIGIN);
			expect(new URL(page.url()).pathname).toBe('/authorize');
			expect(watch).toEqual({ requests: [], navigations: [], dialogs: [], pageErrors: [] });
		});
	}
});

test('offline, once the worker is in control: unlock prompt, then the consent screen', async ({
	page,
	context
}) => {
	await createVault(page);
	await waitForServiceWorker(page);
	const { consentUrl } = await openSignUp(page);
	await context.setOffline(true);
	try {
		await page.goto(consentUrl);
		await expect(
			page.getByRole('heading', { name: `${EXAMPLE_ORIGIN} asks for your papers` })
		).toBeVisible();
		await expect(page.getByText('Enter your password to review the request.')).toBeVisible();
		await unlock(page, 'not the password');
		await expect(page.getByText('Wrong password. Nothing was changed; try again.')).toBeVisible({
			timeout: 15_000
		});
		await unlock(page, PASSWORD);
		await expectConsentScreen(page, EXAMPLE_ORIGIN);
		await expect(page.getByRole('button', { name: 'Fill in Personal details' })).toBeVisible();
		expect(page.url()).toBe(consentUrl);
	} finally {
		await context.setOffline(false);
	}
});

test.describe('framing', () => {
	// Routes cannot see requests a service worker answers; keep the worker out of these tests.
	test.use({ serviceWorkers: 'block' });

	let framer: Server;
	let framerPort = 0;
	let frameSrc = '';

	test.beforeAll(async () => {
		framer = createServer((_request, response) => {
			response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			response.end(
				`<!doctype html><title>Framer</title><h1>Win a prize</h1>` +
					`<iframe title="wallet" src="${frameSrc.replace(/"/g, '&quot;')}" width="400" height="700"></iframe>`
			);
		});
		await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
		framerPort = (framer.address() as AddressInfo).port;
	});
	test.afterAll(async () => {
		await new Promise((resolve) => framer.close(resolve));
	});

	/** Serves the wallet exactly as built, minus its anti-framing headers (a careless host). */
	async function stripFramingHeaders(context: BrowserContext) {
		await context.route(`${WALLET_URL}/**`, async (route) => {
			const response = await route.fetch();
			const headers = { ...response.headers() };
			delete headers['x-frame-options'];
			delete headers['content-security-policy'];
			await route.fulfill({ response, headers });
		});
	}

	test('the wallet server forbids framing in its headers, and the browser obeys', async ({
		page
	}) => {
		const { consentUrl } = await openSignUp(page);
		const response = await page.request.get(consentUrl);
		expect(response.headers()['x-frame-options']).toBe('DENY');
		expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
		// The whole policy of the page's meta tag travels as a header too (script hashes and
		// form-action included), so the meta and the header cannot disagree.
		const meta = /<meta http-equiv="content-security-policy" content="([^"]+)"/.exec(
			await response.text()
		)?.[1];
		expect(meta).toContain('form-action');
		expect(response.headers()['content-security-policy']).toBe(`${meta}; frame-ancestors 'none'`);

		frameSrc = consentUrl;
		await page.goto(`http://127.0.0.1:${framerPort}/`);
		await expect(page.getByRole('heading', { name: 'Win a prize' })).toBeVisible();
		// Chromium replaces a refused frame with its own error page: nothing of the wallet renders.
		await expect
			.poll(() =>
				page
					.frames()
					.find((frame) => frame !== page.mainFrame())
					?.url()
			)
			.toMatch(/^chrome-error:/);
		const frame = page.frameLocator('iframe[title="wallet"]');
		await expect(frame.getByText('asks for your papers')).toHaveCount(0);
		await expect(frame.getByLabel('Password', { exact: true })).toHaveCount(0);
	});

	test('with the headers stripped, the page itself refuses to render in a frame', async ({
		page,
		context
	}) => {
		const { consentUrl } = await openSignUp(page);
		await stripFramingHeaders(context);
		frameSrc = consentUrl;
		// Another origin on the same site (localhost, another port), so the browser grants the frame
		// its storage and the wallet's own check is what decides.
		await page.goto(`http://localhost:${framerPort}/`);
		const frame = page.frameLocator('iframe[title="wallet"]');
		await expect(
			frame.getByText('For your safety, Papiers does not open inside another website.')
		).toBeVisible();
		await expect(frame.getByText('asks for your papers')).toHaveCount(0);
		await expect(frame.getByLabel('Password', { exact: true })).toHaveCount(0);
		await expect(frame.getByRole('button')).toHaveCount(0);

		// The same stripped page opened on its own renders normally: the refusal comes from framing.
		await page.goto(consentUrl);
		await expect(
			page.getByRole('heading', { name: `${EXAMPLE_ORIGIN} asks for your papers` })
		).toBeVisible();
		await expect(page.getByText('does not open inside another website')).toHaveCount(0);
		await context.unrouteAll({ behavior: 'ignoreErrors' });
	});

	test('with the headers stripped, framed by another site: no password field, no consent', async ({
		page,
		context
	}) => {
		const { consentUrl } = await openSignUp(page);
		await stripFramingHeaders(context);
		frameSrc = consentUrl;
		await page.goto(`http://127.0.0.1:${framerPort}/`);
		await expect(page.getByRole('heading', { name: 'Win a prize' })).toBeVisible();
		const frame = page.frameLocator('iframe[title="wallet"]');
		// Wait until the wallet has loaded in the frame, then check what it shows.
		await expect(frame.locator('body')).not.toBeEmpty();
		await page.waitForTimeout(1000);
		await expect(frame.getByText('asks for your papers')).toHaveCount(0);
		await expect(frame.getByLabel('Password', { exact: true })).toHaveCount(0);
		await expect(frame.getByRole('button', { name: 'Authorize' })).toHaveCount(0);
		await context.unrouteAll({ behavior: 'ignoreErrors' });
	});
});

test.describe('requests built with the service kit, answered to a callback on 127.0.0.1', () => {
	let service: CallbackServer;

	test.beforeEach(async () => {
		service = await startCallbackServer();
	});
	test.afterEach(async () => {
		await service.close();
	});

	function request(options: {
		key: ServiceKey;
		nonce: string;
		scope: ScopeInput;
		errors?: PassportElementError[];
	}): string {
		return buildConsentUrl({
			walletUrl: WALLET_URL,
			botId: '777000111',
			scope: options.scope,
			publicKey: options.key.publicKeyPem,
			nonce: options.nonce,
			callbackUrl: `${service.origin}/cb`,
			errors: options.errors
		});
	}

	/** Waits for the wallet's POST and decrypts it as the service would. */
	const received = (page: Page, key: ServiceKey, nonce: string) =>
		receivedDelivery({ page, service, key, nonce });

	test('a new key for a known origin: strong warning first; Cancel returns, trust continues', async ({
		page
	}) => {
		test.setTimeout(120_000);
		const keyA = makeServiceKey();
		const keyB = makeServiceKey();
		const scope: ScopeInput = { v: 1, d: ['em'] };
		await createVault(page);
		await addFromHome(page, 'email', (p) => fillEmail(p, EMAIL));

		// First contact with key A: no warning (trust on first use), and it is remembered.
		await page.goto(request({ key: keyA, nonce: 'nonce-a', scope }));
		await unlock(page);
		await expectConsentScreen(page, service.origin);
		await expect(page.getByText('Warning: this site')).toHaveCount(0);
		await expect(page.getByText(fingerprintOf(keyA.publicKeyPem), { exact: true })).toBeVisible();
		await page.getByRole('button', { name: 'Authorize' }).click();
		expect((await received(page, keyA, 'nonce-a')).byType.email?.email).toBe(EMAIL);

		// Same origin, key B: the warning comes before anything else, naming both keys.
		const requestB = request({ key: keyB, nonce: 'nonce-b', scope });
		await page.goto(requestB);
		await unlock(page);
		const warning = page
			.getByRole('alert')
			.filter({ hasText: "Warning: this site's key has changed" });
		await expect(warning).toBeVisible({ timeout: 15_000 });
		await expect(warning).toContainText(`The last time you shared with ${service.origin}`);
		await expect(page.getByText('Your data will be sent to')).toHaveCount(0);
		await expect(page.getByRole('button', { name: 'Authorize' })).toHaveCount(0);
		const previous = page
			.getByRole('definition')
			.filter({ hasText: fingerprintOf(keyA.publicKeyPem) });
		const next = page.getByRole('definition').filter({ hasText: fingerprintOf(keyB.publicKeyPem) });
		await expect(previous).toBeVisible();
		await expect(next).toBeVisible();

		// Cancel: confirmed, then back to the service with tg_passport=cancel.
		await page.getByRole('button', { name: 'Cancel and return to the site' }).click();
		const dialog = page.getByRole('alertdialog', { name: 'Cancel this request?' });
		await dialog.getByRole('button', { name: 'Yes, cancel and return' }).click();
		await expect(page).toHaveURL(`${service.origin}/cb?tg_passport=cancel`);
		await expect(page.getByRole('heading', { name: 'Callback: cancel' })).toBeVisible();
		expect(service.calls.map((call) => `${call.method} ${call.url}`)).toEqual([
			'GET /cb?tg_passport=cancel'
		]);
		service.calls.length = 0;

		// Cancelling did not make key B trusted: the warning is back; this time trust it.
		await page.goto(requestB);
		await unlock(page);
		await expect(warning).toBeVisible({ timeout: 15_000 });
		await page.getByRole('button', { name: 'I trust the new key, continue' }).click();
		await expectConsentScreen(page, service.origin);
		await expect(page.getByText(fingerprintOf(keyB.publicKeyPem), { exact: true })).toBeVisible();
		await page.getByRole('button', { name: 'Authorize' }).click();
		expect((await received(page, keyB, 'nonce-b')).byType.email?.email).toBe(EMAIL);

		// Key B is now the one on record: a further request with it goes straight to consent.
		await page.goto(request({ key: keyB, nonce: 'nonce-b2', scope }));
		await unlock(page);
		await expectConsentScreen(page, service.origin);
		await expect(page.getByText('Warning: this site')).toHaveCount(0);
	});

	test('service-reported error: the row shows its message in red; Authorize waits for that field', async ({
		page
	}) => {
		test.setTimeout(120_000);
		const key = makeServiceKey();
		const scope: ScopeInput = { v: 1, d: ['pd'] };
		await createVault(page);
		await addFromHome(page, 'personal_details', (p) => fillPersonalDetails(p, PERSON));

		const first = request({ key, nonce: 'nonce-h', scope });
		await page.goto(first);
		await unlock(page);
		await expectConsentScreen(page, service.origin);
		await page.getByRole('button', { name: 'Authorize' }).click();
		const sent = await received(page, key, 'nonce-h');
		expect(sent.byType.personal_details?.data?.first_name).toBe(PERSON.firstName);
		const dataHash = sent.credentials.secure_data.personal_details?.data?.data_hash;
		expect(dataHash).toBeTruthy();

		// The service sends the person back with the same request plus its finding.
		const withError = request({
			key,
			nonce: 'nonce-h',
			scope,
			errors: [
				{
					source: 'data',
					type: 'personal_details',
					field_name: 'first_name',
					data_hash: dataHash!,
					message: 'Name does not match'
				}
			]
		});
		const expectFlagged = async () => {
			const flag = page.getByRole('alert').filter({
				hasText: `${service.origin} says: “Name does not match”`
			});
			await expect(flag).toBeVisible();
			await expect(flag).toHaveCSS('border-left-color', 'rgb(176, 0, 32)');
			await expect(page.getByText('Change the parts marked in red to continue.')).toBeVisible();
			await expect(page.getByRole('button', { name: 'Authorize' })).toBeDisabled();
		};
		await page.goto(withError);
		await unlock(page);
		await expectConsentScreen(page, service.origin);
		await expectFlagged();

		const edit = (fill: (page: Page) => Promise<void>) =>
			editFromConsent(page, { button: 'Edit Personal details', origin: service.origin, fill });
		// Changing another field does not answer the service's complaint.
		await edit((p) => p.getByLabel('Last name', { exact: true }).fill('Vantongeren-Roux'));
		await expectFlagged();
		// Changing the flagged field does.
		await edit((p) => p.getByLabel('First name', { exact: true }).fill('Aurelia'));
		await expect(page.getByText('Name does not match')).toHaveCount(0);
		await expect(page.getByText('Change the parts marked in red to continue.')).toHaveCount(0);
		await page.getByRole('button', { name: 'Authorize' }).click();
		const corrected = await received(page, key, 'nonce-h');
		expect(corrected.byType.personal_details?.data).toMatchObject({
			first_name: 'Aurelia',
			last_name: 'Vantongeren-Roux'
		});
	});
});
