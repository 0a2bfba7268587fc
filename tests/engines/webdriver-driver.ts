/**
 * WebKit through classic WebDriver: Debian's WebKitWebDriver (webkit2gtk-driver) drives
 * MiniBrowser, which needs a display, hence xvfb-run (without it the session hangs with no
 * error). selenium-webdriver is only the HTTP client here; no driver is downloaded.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { Builder, By, type WebDriver } from 'selenium-webdriver';
import { EngineMissingError, PHONE, type EngineDriver } from './driver';

const MINIBROWSER =
	process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

function onPath(command: string): boolean {
	return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/${command}`));
}

async function waitForDriver(port: number, process: ChildProcess) {
	// The driver starts in well under a second; the bound is for a loaded CI machine.
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		if (process.exitCode !== null) throw new Error(`WebKitWebDriver exited (${process.exitCode})`);
		try {
			if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error('WebKitWebDriver did not answer within 60 s');
}

/** `userAgent` makes MiniBrowser say it is another browser (e.g. Safari on an iPhone). */
export async function launchWebKit(
	port: number,
	options: { userAgent?: string } = {}
): Promise<EngineDriver> {
	if (!onPath('WebKitWebDriver') || !existsSync(MINIBROWSER)) {
		throw new EngineMissingError(
			'WebKit not found: apt-get install webkit2gtk-driver (WebKitWebDriver and MiniBrowser)'
		);
	}
	if (!onPath('xvfb-run')) {
		throw new EngineMissingError(
			'xvfb-run not found (WebKitGTK needs a display): apt-get install xvfb'
		);
	}
	// Its own process group, so closing ends Xvfb, the driver and the browser together.
	const server = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], {
		stdio: 'ignore',
		detached: true,
		env: { ...process.env, LANG: 'en_US.UTF-8', LANGUAGE: 'en_US' }
	});
	const stop = () => {
		try {
			if (server.pid) process.kill(-server.pid, 'SIGTERM');
		} catch {
			// already gone
		}
	};
	let driver: WebDriver;
	try {
		await waitForDriver(port, server);
		driver = await new Builder()
			.usingServer(`http://127.0.0.1:${port}`)
			.withCapabilities({
				browserName: 'MiniBrowser',
				// The example service's certificate is made for the run (global-setup.ts).
				acceptInsecureCerts: true,
				'webkitgtk:browserOptions': {
					binary: MINIBROWSER,
					args: [
						'--automation',
						...(options.userAgent ? [`--user-agent=${options.userAgent}`] : [])
					]
				}
			})
			.build();
		// MiniBrowser keeps a minimum width (447 CSS px here); the height is the phone's.
		await driver.manage().window().setRect(PHONE);
	} catch (error) {
		stop();
		throw error;
	}
	const element = (css: string) => driver.findElement(By.css(css));
	return {
		engine: 'webkit',
		// Keys sent to <input type="date"> change nothing here, even on a bare page.
		typesIntoDateFields: false,
		goto: (url) => driver.get(url),
		reload: () => driver.navigate().refresh(),
		url: () => driver.getCurrentUrl(),
		evaluate: (fn, ...args) =>
			driver.executeScript(`return (${fn.toString()}).apply(null, arguments)`, ...args),
		async click(css) {
			await (await element(css)).click();
		},
		async type(css, text) {
			await (await element(css)).sendKeys(text);
		},
		async setFiles(css, path) {
			await (await element(css)).sendKeys(path);
		},
		async screenshot(path) {
			writeFileSync(path, Buffer.from(await driver.takeScreenshot(), 'base64'));
		},
		async close() {
			try {
				await driver.quit();
			} finally {
				stop();
			}
		}
	};
}
