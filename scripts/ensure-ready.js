// Shared by `npm start` and `npm test`: installs dependencies when package-lock.json is newer
// than node_modules, and builds when any source is newer than the build. Node built-ins only,
// because it must run before node_modules exists.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = [
	'src',
	'static',
	'messages',
	'project.inlang',
	'svelte.config.js',
	'vite.config.ts',
	'package-lock.json'
];

function newestMtime(path) {
	if (!existsSync(path)) return 0;
	const stats = statSync(path);
	if (!stats.isDirectory()) return stats.mtimeMs;
	let newest = stats.mtimeMs;
	for (const entry of readdirSync(path)) {
		if (entry === 'paraglide' || entry === 'node_modules') continue; // generated or vendored
		newest = Math.max(newest, newestMtime(join(path, entry)));
	}
	return newest;
}

export function ensureDependencies() {
	const marker = 'node_modules/.package-lock.json';
	if (!existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs) {
		console.log('Installing dependencies (npm ci)…');
		execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
	}
}

export function ensureBuild() {
	const built = existsSync('build/index.html') ? statSync('build/index.html').mtimeMs : 0;
	const newest = Math.max(...SOURCES.map(newestMtime));
	if (built < newest) {
		console.log('Building the wallet…');
		execSync('npx vite build', { stdio: 'inherit' });
	}
}
