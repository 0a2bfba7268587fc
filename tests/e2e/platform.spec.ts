/**
 * Issue 11, parts 2 and 3: a browser without an API the wallet uses gets words, never a crash, and
 * installing is offered the way each platform does it. Each missing API is stubbed away in
 * Chromium before the app loads (the WebKit run of the cross-engine suite asserts the same
 * no-WebRTC notice where WebRTC is really absent).
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import QRCode from 'qrcode';
import { createVault, unlock } from './helpers';
import { openSignUp } from './consent-helpers';

/**
 * Every uncaught error and console error of the page, to check none happened. Refused relay
 * connections are left out: the app's default relay (ws://localhost:4444) is not running here.
 */
function collectErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
	page.on('console', (message) => {
		const text = message.text();
		if (message.type() === 'error' && !/^WebSocket connection to .* failed/.test(text)) {
			errors.push(`console: ${text}`);
		}
	});
	return errors;
}

async function expectNoSeriousViolations(page: Page, where: string) {
	const { violations } = await new AxeBuilder({ page }).analyze();
	const serious = violations
		.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
		.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target).join()}`);
	expect(serious, `axe on ${where}`).toEqual([]);
}

const noWebRtc = () => {
	for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection', 'RTCDataChannel']) {
		delete (window as unknown as Record<string, unknown>)[name];
	}
};

test.describe('without WebRTC', () => {
	test('Pair and Devices say this browser cannot sync and what to use instead', async ({
		page
	}) => {
		await page.addInitScript(noWebRtc);
		const errors = collectErrors(page);

		// A new device arriving to pair: no vault yet.
		await page.goto('/pair');
		const notice = page.getByTestId('sync-unsupported');
		await expect(notice).toBeVisible();
		await expect(page.getByRole('note', { name: 'This browser cannot sync' })).toBeVisible();
		await expect(notice).toContainText('It has no WebRTC');
		await expect(notice).toContainText('open Papiers in a recent Firefox, Chrome, Edge or Safari');
		await expect(page.getByRole('button', { name: 'Scan the QR code' })).toHaveCount(0);
		await expectNoSeriousViolations(page, '/pair without WebRTC');

		// A device with a vault: sync and pairing are not offered; its devices still are listed.
		await createVault(page);
		await page.getByRole('link', { name: 'Devices' }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Devices' })).toBeVisible();
		await expect(page.getByRole('note', { name: 'This browser cannot sync' })).toBeVisible();
		await expect(page.getByRole('button', { name: 'Add a device' })).toHaveCount(0);
		await expectNoSeriousViolations(page, '/devices without WebRTC');

		// The vault still works here: reloaded, it unlocks, and sync, which cannot start, stays quiet.
		await page.reload();
		await unlock(page);
		await expect(page).toHaveURL(/\/devices$/);
		await expect(page.getByRole('note', { name: 'This browser cannot sync' })).toBeVisible();
		await page.getByRole('link', { name: 'Papers' }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Your papers' })).toBeVisible();
		expect(errors).toEqual([]);
	});

	test.describe('in French', () => {
		test.use({ locale: 'fr-FR' });

		test('the notice is in French', async ({ page }) => {
			await page.addInitScript(noWebRtc);
			await page.goto('/pair');
			await expect(
				page.getByRole('note', { name: 'Ce navigateur ne peut pas synchroniser' })
			).toContainText('ouvrez Papiers dans un Firefox, Chrome, Edge ou Safari récent');
		});
	});
});

test('without BarcodeDetector, the QR code is read with jsQR', async ({ page }) => {
	// Not a pairing link: the app reads it, then says so, which only a decoded code can cause.
	const qr = await QRCode.toDataURL('https://example.org/not-a-pairing-link', {
		margin: 4,
		width: 480
	});
	await page.addInitScript((image: string) => {
		delete (window as unknown as Record<string, unknown>).BarcodeDetector;
		// A camera that films the QR code: a canvas redrawn ten times a second, as a stream.
		navigator.mediaDevices.getUserMedia = async () => {
			const canvas = document.createElement('canvas');
			canvas.width = canvas.height = 640;
			const context = canvas.getContext('2d')!;
			const picture = new Image();
			picture.src = image;
			await picture.decode();
			const draw = () => {
				context.fillStyle = '#fff';
				context.fillRect(0, 0, 640, 640);
				context.drawImage(picture, 80, 80);
			};
			draw();
			setInterval(draw, 100);
			return canvas.captureStream(10);
		};
	}, qr);
	await page.goto('/pair');
	expect(await page.evaluate(() => 'BarcodeDetector' in window)).toBe(false);
	await page.getByRole('button', { name: 'Scan the QR code' }).click();
	await expect(page.getByText('This QR code is not a Papiers pairing code.')).toBeVisible();
	// Reading stops the camera.
	await expect(page.getByRole('button', { name: 'Scan the QR code' })).toBeVisible();
});

test('persistent storage refused: Settings says what it means on this platform', async ({
	page
}) => {
	await page.addInitScript(() => {
		StorageManager.prototype.persist = async () => false;
		StorageManager.prototype.persisted = async () => false;
	});
	await createVault(page);
	await page.getByRole('link', { name: 'Settings' }).click();
	// Playwright's Pixel 7 is Chrome on Android.
	await expect(page.getByTestId('storage-persisted')).toHaveText(
		'This browser keeps the data of apps you install and of sites you use often. Install Papiers; until then the browser may delete the data when the device runs low on space. Keep a backup file too.'
	);
	await expect(page.getByRole('button', { name: 'Ask to keep data' })).toBeVisible();
});

/** A synthetic `beforeinstallprompt`, as Chromium fires it; counts calls to prompt(). */
async function offerInstall(page: Page, outcome: 'accepted' | 'dismissed') {
	return page.evaluate((outcome) => {
		const event = new Event('beforeinstallprompt', { cancelable: true }) as Event & {
			prompt(): Promise<void>;
			userChoice: Promise<{ outcome: string }>;
		};
		const calls = window as unknown as { promptCalls: number };
		calls.promptCalls = 0;
		event.prompt = async () => {
			calls.promptCalls++;
		};
		event.userChoice = Promise.resolve({ outcome });
		dispatchEvent(event);
		return event.defaultPrevented;
	}, outcome);
}

test.describe('install', () => {
	test('"Install Papiers" appears with beforeinstallprompt, prompts, and hides once installed', async ({
		page
	}) => {
		await createVault(page);
		const install = page.getByRole('button', { name: 'Install Papiers' });
		await expect(page.getByRole('button', { name: 'Lock' })).toBeVisible();
		await expect(install).toHaveCount(0);

		// The app takes the event over from the browser's own infobar.
		expect(await offerInstall(page, 'dismissed')).toBe(true);
		await expect(install).toBeVisible();
		await install.click();
		await expect
			.poll(() => page.evaluate(() => (window as unknown as { promptCalls: number }).promptCalls))
			.toBe(1);
		// A prompt serves once: dismissed, the button goes until the browser offers again.
		await expect(install).toHaveCount(0);

		expect(await offerInstall(page, 'accepted')).toBe(true);
		await page.getByRole('link', { name: 'Settings' }).click();
		const card = page.getByTestId('install-settings');
		await expect(card.getByRole('button', { name: 'Install Papiers' })).toBeVisible();
		await expect(page.getByRole('button', { name: 'Install Papiers' })).toHaveCount(2);

		await page.evaluate(() => dispatchEvent(new Event('appinstalled')));
		await expect(page.getByRole('button', { name: 'Install Papiers' })).toHaveCount(0);
		await expect(card).toContainText('Papiers is installed on this device.');
	});

	test('not offered when already running installed (display-mode: standalone)', async ({
		page
	}) => {
		await page.addInitScript(() => {
			const native = window.matchMedia.bind(window);
			window.matchMedia = (query: string) =>
				query === '(display-mode: standalone)'
					? ({ ...native(query), matches: true, media: query } as MediaQueryList)
					: native(query);
		});
		await createVault(page);
		await page.getByRole('link', { name: 'Settings' }).click();
		await expect(page.getByTestId('install-settings')).toContainText(
			'Papiers is installed on this device.'
		);
		// The listener ran (it took the event), and still no button.
		expect(await offerInstall(page, 'accepted')).toBe(true);
		await expect(page.getByTestId('install-settings')).toContainText(
			'Papiers is installed on this device.'
		);
		await expect(page.getByRole('button', { name: 'Install Papiers' })).toHaveCount(0);
	});
});

const IPHONE_UA =
	'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

test.describe('on an iPhone in Safari', () => {
	test.use({ userAgent: IPHONE_UA });

	test('the "Add to Home Screen" sheet shows once, and again from Settings, with the storage note one tap from pairing', async ({
		page
	}) => {
		await page.addInitScript(() => {
			StorageManager.prototype.persist = async () => false;
			StorageManager.prototype.persisted = async () => false;
		});
		await page.goto('/');
		const sheet = page.getByRole('dialog', { name: 'Add Papiers to your Home Screen' });
		await expect(sheet).toBeVisible();
		await expect(sheet).toHaveAttribute('data-testid', 'ios-install-sheet');
		await expect(sheet.getByRole('listitem')).toHaveText([
			/Tap Share in Safari’s toolbar\./,
			/Scroll down and tap “Add to Home Screen”, then Add\./,
			/Open Papiers from your Home Screen and create or pair your vault there\./
		]);
		await expect(sheet).toContainText('the Home Screen app and Safari keep separate storage');
		await expect(
			sheet.getByRole('link', { name: 'Papiers already on your Home Screen? Pair this browser' })
		).toHaveAttribute('href', '/pair');
		await expectNoSeriousViolations(page, 'the iOS install sheet');
		await sheet.getByRole('button', { name: 'Got it' }).click();
		await expect(sheet).toHaveCount(0);

		// Shown once: a new visit does not bring it back (the vault creation below takes seconds,
		// time enough for a sheet that was going to show).
		await page.reload();
		await createVault(page);
		await page.getByRole('link', { name: 'Settings' }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
		await expect(sheet).toHaveCount(0);

		// What not keeping the data means here.
		await expect(page.getByTestId('storage-persisted')).toHaveText(
			'On iPhone and iPad, Safari erases a site’s data after 7 days without a visit. Add Papiers to your Home Screen: the Home Screen app keeps its data. Keep a backup file too.'
		);

		const card = page.getByTestId('install-settings');
		await card.getByRole('button', { name: 'How to add Papiers to the Home Screen' }).click();
		await expect(sheet).toBeVisible();
		await sheet.getByRole('button', { name: 'Got it' }).click();
		await expect(sheet).toHaveCount(0);

		const note = page.getByTestId('ios-storage-note');
		await expect(note).toContainText(
			'On iPhone and iPad, the Home Screen app and Safari keep separate storage'
		);
		await expect(note).toContainText(
			'A consent link opened in Safari reaches your vault only if Safari is paired as another device, or if you open the link from the installed app.'
		);
		await note.getByRole('link', { name: 'Pair Safari as another device' }).click();
		await expect(page).toHaveURL(/\/devices$/);
		await expect(page.getByRole('button', { name: 'Add a device' })).toBeVisible();
	});

	test('a consent link in Safari with no vault points to the Home Screen app and pairing first', async ({
		page
	}) => {
		const { consentUrl } = await openSignUp(page);
		await page.goto(consentUrl);
		const note = page.getByTestId('ios-vault-elsewhere');
		await expect(note).toContainText(
			'Is Papiers on your Home Screen? Your vault is there, not in Safari'
		);
		// Creating a vault here stays possible, for someone who only uses Safari.
		await expect(page.getByRole('button', { name: 'Create vault' })).toBeVisible();
		await expectNoSeriousViolations(page, 'the consent page in Safari with no vault');
		await note.getByRole('link', { name: 'Pair Safari as another device' }).click();
		await expect(page).toHaveURL(/\/pair$/);
	});
});

test('a consent link with no vault outside iOS says nothing of Safari', async ({ page }) => {
	const { consentUrl } = await openSignUp(page);
	await page.goto(consentUrl);
	await expect(page.getByRole('button', { name: 'Create vault' })).toBeVisible();
	await expect(page.getByTestId('ios-vault-elsewhere')).toHaveCount(0);
});
