/**
 * Builds the service kit (src/lib/service, TypeScript) into one plain ES module that `node` can
 * import, with Vite's library mode: the same code a real service installs (packages/kit), no TS at
 * run time. A package.json beside it says "module", so Node loads it as ESM from any folder.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleKit } from '../scripts/build-kit.js';

/** Returns the path of the built module. */
export async function buildKit(outDir) {
	const path = await bundleKit({ outDir, fileName: 'service-kit.js' });
	writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
	return path;
}
