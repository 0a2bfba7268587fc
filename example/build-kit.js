/**
 * Builds the service kit (src/lib/service, TypeScript) into one plain ES module that `node` can
 * import, with Vite's library mode: the same code a real service would install, no TS at run time.
 */

import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Returns the path of the built module. */
export async function buildKit(outDir) {
	await build({
		configFile: false,
		root: repoRoot,
		logLevel: 'warn',
		build: {
			lib: {
				entry: fileURLToPath(new URL('../src/lib/service/index.ts', import.meta.url)),
				formats: ['es'],
				fileName: () => 'service-kit.js'
			},
			outDir,
			emptyOutDir: true,
			target: 'node20',
			minify: false,
			sourcemap: false
		}
	});
	return `${outDir}/service-kit.js`;
}
