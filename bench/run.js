// `npm run bench`: figures, not pass/fail. Serves the production build on loopback, drives
// Debian's Chromium with Playwright, and prints one table row per figure with its anchor.
import { chromium } from '@playwright/test';
import { readdirSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { startStaticServer } from '../scripts/serve.js';
import { ensureBuild, ensureDependencies } from '../scripts/ensure-ready.js';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.js';

ensureDependencies();
ensureBuild();
execSync('npx vite build --config bench/vite.bench.config.ts --logLevel error', {
	stdio: 'inherit'
});

const port = Number(process.env.BENCH_PORT ?? 4190);
const walletUrl = `http://localhost:${port}`;
const server = await startStaticServer({ port });
const browser = await chromium.launch({
	executablePath: chromiumPath,
	args: chromiumArgs
});

const only = process.argv[2];
const benches = readdirSync('bench')
	.filter((name) => name.endsWith('.bench.js') && (!only || name.includes(only)))
	.sort();

const rows = [];
for (const file of benches) {
	const bench = await import(`./${file}`);
	try {
		rows.push(...(await bench.run({ browser, walletUrl })));
	} catch (error) {
		rows.push({ figure: file, value: `failed: ${error.message}`, anchor: '' });
	}
}

await browser.close();
server.close();

const widths = ['figure', 'value', 'anchor'].map((key) =>
	Math.max(key.length, ...rows.map((row) => String(row[key]).length))
);
const line = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`;
console.log(line(['figure', 'value', 'anchor']));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) console.log(line([row.figure, row.value, row.anchor]));
