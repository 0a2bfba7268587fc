/**
 * Registers the journey for one engine with Vitest: one test per step, in order, in one browser.
 * After a failed step the later ones are skipped (they start where it should have left the page),
 * so a broken engine counts as one failure with the step and the reason in its message; an engine
 * that is not installed fails the first test with what to install.
 */

import { afterAll, beforeAll, describe, test } from 'vitest';
import type { EngineDriver, EngineName } from './driver';
import { JOURNEY, type JourneyContext } from './journey';
import { launchEngine } from './launch';
import { WalletServer } from './servers';
import { Ui } from './ui';

/** `npm run screenshots` (scripts/screenshots.js) names the folder; otherwise none is taken. */
async function shoot(driver: EngineDriver, name: string) {
	const folder = process.env.PAPIERS_SCREENSHOTS_DIR;
	if (!folder) return;
	await driver.evaluate(() => {
		window.scrollTo(0, 0);
		(document.activeElement as HTMLElement | null)?.blur();
	});
	await driver.screenshot(`${folder}/${name}-${driver.engine}.png`);
}

export function defineJourney(engine: EngineName) {
	describe.sequential(engine, () => {
		const wallet = new WalletServer();
		let context: JourneyContext | undefined;
		let failedStep: string | undefined;
		const started = Date.now();

		beforeAll(async () => {
			await wallet.start();
		});
		afterAll(async () => {
			await context?.driver.close().catch(() => undefined);
			await wallet.stop();
			console.log(`${engine}: journey took ${((Date.now() - started) / 1000).toFixed(1)} s`);
		});

		test('starts the browser with a phone-sized window', async () => {
			let driver: EngineDriver;
			try {
				driver = await launchEngine(engine);
			} catch (error) {
				failedStep = 'start';
				throw error;
			}
			context = { driver, ui: new Ui(driver), wallet, shoot: (name) => shoot(driver, name) };
		});

		for (const step of JOURNEY) {
			test(step.name, async (task) => {
				if (failedStep || !context) {
					task.skip(`skipped: "${failedStep ?? 'start'}" failed before`);
					return;
				}
				try {
					await step.run(context);
				} catch (error) {
					if (!step.standalone) failedStep = step.name;
					await context.driver
						.screenshot(`test-reports/engines-${engine}-failure.png`)
						.catch(() => undefined);
					throw error;
				}
			});
		}
	});
}
