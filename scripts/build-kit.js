// `npm run build:kit`: the service kit (src/lib/service) as the npm package in packages/kit/:
//   dist/papiers-kit.js          ES module for Node ≥ 20 (readable, for stack traces)
//   dist/papiers-kit.browser.js  the same code minified, for pages that decrypt a fragment
//   dist/types/…                 type declarations, emitted by tsc from the sources
// Everything the kit imports (its share of src/lib/passport and crypto, @noble/hashes…) is bundled
// in: the package has no dependencies, so installing it never reaches a registry.
// `node scripts/build-kit.js <dir>` builds into another copy of the package folder (the pack test).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const entry = join(repoRoot, 'src/lib/service/index.ts');
export const KIT_PACKAGE_DIR = join(repoRoot, 'packages/kit');

/** One bundle of the kit with Vite's library mode; returns its path. */
export async function bundleKit({ outDir, fileName, browser = false, emptyOutDir = true }) {
	await build({
		configFile: false,
		root: repoRoot,
		logLevel: 'warn',
		build: {
			lib: { entry, formats: ['es'], fileName: () => fileName },
			outDir,
			emptyOutDir,
			target: browser ? 'es2022' : 'node20',
			minify: browser,
			sourcemap: false
		}
	});
	return join(outDir, fileName);
}

/**
 * tsc writes one .d.ts per source file with the sources' extensionless relative imports, which a
 * consumer on `moduleResolution: node16` cannot follow: give each its `.js` (or `/index.js`).
 */
function addJsExtensions(dir) {
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) {
			addJsExtensions(path);
			continue;
		}
		if (!name.endsWith('.d.ts')) continue;
		const text = readFileSync(path, 'utf8').replace(
			/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\2/g,
			(whole, before, quote, specifier) => {
				if (/\.(js|ts)$/.test(specifier))
					return `${before}${quote}${specifier.replace(/\.ts$/, '.js')}${quote}`;
				const target = resolve(dirname(path), specifier);
				const fixed = existsSync(`${target}.d.ts`) ? `${specifier}.js` : `${specifier}/index.js`;
				return `${before}${quote}${fixed}${quote}`;
			}
		);
		writeFileSync(path, text);
	}
}

function emitDeclarations(outDir) {
	const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
	const options = {
		declaration: true,
		emitDeclarationOnly: true,
		rootDir: join(repoRoot, 'src/lib'),
		outDir,
		target: 'ES2022',
		module: 'ESNext',
		moduleResolution: 'Bundler',
		lib: 'ES2022,DOM',
		strict: true,
		skipLibCheck: true,
		types: 'node'
	};
	const args = [tsc, entry, '--ignoreConfig'];
	for (const [key, value] of Object.entries(options)) args.push(`--${key}`, String(value));
	execFileSync(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
	addJsExtensions(outDir);
	const strays = readdirSync(outDir).filter(
		(name) => !['service', 'passport', 'crypto'].includes(name)
	);
	if (strays.length > 0) throw new Error(`Unexpected declarations: ${strays.join(', ')}`);
}

/** Builds dist/ inside `packageDir` (a folder holding the kit's package.json). */
export async function buildKitPackage(packageDir = KIT_PACKAGE_DIR) {
	const dist = join(packageDir, 'dist');
	rmSync(dist, { recursive: true, force: true });
	await bundleKit({ outDir: dist, fileName: 'papiers-kit.js' });
	await bundleKit({
		outDir: dist,
		fileName: 'papiers-kit.browser.js',
		browser: true,
		emptyOutDir: false
	});
	emitDeclarations(join(dist, 'types'));
	writeFileSync(join(dist, 'index.d.ts'), "export * from './types/service/index.js';\n");
	return dist;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
	const dist = await buildKitPackage(process.argv[2] ? resolve(process.argv[2]) : undefined);
	console.log(`Service kit built in ${relative(process.cwd(), dist) || dist}`);
}
