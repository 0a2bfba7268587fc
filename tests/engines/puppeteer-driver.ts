/**
 * Chromium (CDP) and Gecko (WebDriver BiDi) through puppeteer-core, unpatched, with the browsers
 * Debian installs (STACK.md, "Other engines"): nothing is downloaded.
 */

import { existsSync, writeFileSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.js';
import { EngineMissingError, PHONE, type EngineDriver } from './driver';

const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export async function launchPuppeteer(engine: 'chromium' | 'gecko'): Promise<EngineDriver> {
	const executablePath = engine === 'chromium' ? chromiumPath : FIREFOX_PATH;
	if (!executablePath || !existsSync(executablePath)) {
		throw new EngineMissingError(
			engine === 'chromium'
				? 'Chromium not found: apt-get install chromium (or set CHROMIUM_PATH)'
				: `Firefox not found at ${FIREFOX_PATH}: apt-get install firefox-esr (or set FIREFOX_PATH)`
		);
	}
	// The example service's certificate is made for the run (global-setup.ts): accepted here only.
	const browser: Browser = await puppeteer.launch(
		engine === 'chromium'
			? {
					browser: 'chrome',
					executablePath,
					headless: true,
					acceptInsecureCerts: true,
					args: [...chromiumArgs, '--lang=en-US']
				}
			: {
					browser: 'firefox',
					executablePath,
					headless: true,
					acceptInsecureCerts: true,
					extraPrefsFirefox: { 'intl.accept_languages': 'en-US' }
				}
	);
	const page: Page = await browser.newPage();
	await page.setViewport({ ...PHONE, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
	const element = async (css: string) => {
		const handle = await page.$(css);
		if (!handle) throw new Error(`no element ${css}`);
		return handle;
	};
	return {
		engine,
		typesIntoDateFields: true,
		async goto(url) {
			await page.goto(url, { waitUntil: 'load' });
		},
		async reload() {
			await page.reload({ waitUntil: 'load' });
		},
		async url() {
			return page.url();
		},
		evaluate: (fn, ...args) => page.evaluate(fn as never, ...args) as never,
		async click(css) {
			await (await element(css)).click();
		},
		async type(css, text) {
			const handle = await element(css);
			await handle.focus();
			await handle.type(text);
		},
		async setFiles(css, path) {
			const handle = await element(css);
			await (handle as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(path);
		},
		async screenshot(path) {
			writeFileSync(path, await page.screenshot({ type: 'png' }));
		},
		async close() {
			await browser.close();
		}
	};
}
