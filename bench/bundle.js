// Builds a bench entry (real `$lib` code) as one IIFE script, for a page of the wallet's origin
// (bench/wallet.js, tests/e2e/sync-large.spec.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';

/**
 * @param {{ entry: string, name: string }} options entry file, and the global it defines
 * @returns {Promise<{ path: string, cleanup: () => void }>} the script, and its removal
 */
export async function buildBundle({ entry, name }) {
	const outDir = mkdtempSync(join(tmpdir(), `papiers-bench-${name}-`));
	const cleanup = () => rmSync(outDir, { recursive: true, force: true });
	try {
		await build({
			configFile: false,
			logLevel: 'error',
			resolve: { alias: { $lib: resolve('src/lib') } },
			build: {
				outDir,
				emptyOutDir: true,
				lib: { entry: resolve(entry), formats: ['iife'], name, fileName: () => 'bundle.js' }
			}
		});
		return { path: join(outDir, 'bundle.js'), cleanup };
	} catch (error) {
		cleanup();
		throw error;
	}
}
