// Unlock at the shipped Argon2id parameters (64 MiB, 3 passes), median of 5, against the bare
// hash-wasm Argon2id computation at the same parameters in the same page.
import { median, ms } from './stats.js';
import { createVaultThroughUi } from './wallet.js';

const PASSWORD = 'bench passphrase for unlock';

export async function run({ browser, walletUrl }) {
	const context = await browser.newContext({ locale: 'en-US', bypassCSP: true });
	const page = await context.newPage();
	await createVaultThroughUi(page, walletUrl, PASSWORD);

	const unlockTimes = [];
	for (let i = 0; i < 5; i++) {
		await page.getByRole('button', { name: 'Lock' }).click();
		await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
		// Time from the click to the papers page, measured inside the page.
		const elapsed = await page.evaluate(
			() =>
				new Promise((resolve) => {
					const start = performance.now();
					const observer = new MutationObserver(() => {
						const heading = document.querySelector('h1');
						if (heading?.textContent === 'Your papers') {
							observer.disconnect();
							resolve(performance.now() - start);
						}
					});
					observer.observe(document.body, { childList: true, subtree: true, characterData: true });
					document.querySelector('button[type=submit]').click();
				})
		);
		unlockTimes.push(elapsed);
	}

	await page.addScriptTag({ path: 'bench/dist/argon2.js' });
	const bareTimes = await page.evaluate(async () => {
		const times = [];
		for (let i = 0; i < 5; i++) {
			const salt = crypto.getRandomValues(new Uint8Array(16));
			const start = performance.now();
			await globalThis.benchArgon2id({
				password: 'bench passphrase for unlock',
				salt,
				iterations: 3,
				parallelism: 1,
				memorySize: 65536,
				hashLength: 32,
				outputType: 'binary'
			});
			times.push(performance.now() - start);
		}
		return times;
	});
	await context.close();

	const unlock = median(unlockTimes);
	const bare = median(bareTimes);
	return [
		{
			figure: 'unlock (Argon2id 64 MiB, t=3, p=1), median of 5',
			value: ms(unlock),
			anchor: `bare hash-wasm Argon2id same params: ${ms(bare)}; ratio ${(unlock / bare).toFixed(2)}x (target ≤ 1.2x)`
		}
	];
}
