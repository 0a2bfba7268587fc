// Backup figures (issue 10): save and restore of a vault of 20 MB of scans with the real code
// on IndexedDB in Chromium (bench/backup-entry.ts), against the anchor of reading the same rows
// from IndexedDB and writing them to a new database in the same run; and the page's peak memory
// (CDP Runtime.getHeapUsage: JS heap with its ArrayBuffers) during each, above the level before.
// Argon2id is cheap here: restore includes one header opening, the unlock bench measures the
// shipped cost.
import { median, ms } from './stats.js';
import { pageWithBundle } from './wallet.js';

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const RUNS = 3;

export async function run({ browser, walletUrl }) {
	const { context, page, cleanup } = await pageWithBundle({
		browser,
		walletUrl,
		entry: 'bench/backup-entry.ts',
		name: 'benchBackupBundle'
	});
	try {
		const cdp = await context.newCDPSession(page);
		const heap = async () => {
			const usage = await cdp.send('Runtime.getHeapUsage');
			return usage.usedSize + (usage.backingStorageSize ?? 0);
		};
		/**
		 * Peak heap above the level before, while `phase` runs in the page. `live`: a garbage
		 * collection before each sample, so the figure is what the code holds, not buffers it
		 * dropped that V8 has not collected yet (it slows the phase: its time is not used).
		 */
		const measured = async (phase, { live = false } = {}) => {
			await cdp.send('HeapProfiler.collectGarbage');
			const before = await heap();
			let peak = before;
			let running = true;
			const sampler = (async () => {
				while (running) {
					if (live) await cdp.send('HeapProfiler.collectGarbage');
					peak = Math.max(peak, await heap());
					await new Promise((done) => setTimeout(done, 20));
				}
			})();
			const result = await page.evaluate(phase);
			running = false;
			await sampler;
			peak = Math.max(peak, await heap());
			return { ...result, peak: peak - before };
		};

		const vault = await page.evaluate(() =>
			benchBackup.setUp({ scans: 20, scanBytes: 1024 * 1024 - 64 })
		);
		const saves = [];
		const restores = [];
		const copies = [];
		for (let i = 0; i < RUNS; i++) {
			copies.push(await measured(() => benchBackup.copyRows()));
			saves.push(await measured(() => benchBackup.save()));
			restores.push(await measured(() => benchBackup.restore()));
			await page.evaluate(() => benchBackup.dropFile());
		}
		const live = {
			copy: await measured(() => benchBackup.copyRows(), { live: true }),
			save: await measured(() => benchBackup.save(), { live: true }),
			restore: await measured(() => benchBackup.restore(), { live: true })
		};
		await context.close();
		const copy = median(copies.map((c) => c.ms));
		const peak = (list) => mib(Math.max(...list.map((entry) => entry.peak)));
		const size = `${vault.rows} rows, ${mib(vault.bytes)}`;
		return [
			{
				figure: `backup: save (${size})`,
				value: ms(median(saves.map((s) => s.ms))),
				anchor: `read + write the same rows in IndexedDB: ${ms(copy)}; file ${mib(saves[0].fileBytes)}`
			},
			{
				figure: `backup: restore, checked then written`,
				value: ms(median(restores.map((r) => r.ms))),
				anchor: `read + write the same rows in IndexedDB: ${ms(copy)}`
			},
			{
				figure: 'backup: peak page memory held (save / restore)',
				value: `${mib(live.save.peak)} / ${mib(live.restore.peak)}`,
				anchor: `sampled after a GC each time; read + write copy: ${mib(live.copy.peak)}`
			},
			{
				figure: 'backup: peak page memory with garbage (save / restore)',
				value: `${peak(saves)} / ${peak(restores)}`,
				anchor: `vault ${mib(vault.bytes)}; read + write copy: ${peak(copies)}`
			}
		];
	} finally {
		cleanup();
	}
}
