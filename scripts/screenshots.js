// `npm run screenshots`: the README's pictures of the papers page and the consent screen, as each
// engine (Chromium, Gecko, WebKit) draws them in a phone-sized window. They are taken by the
// cross-engine journey itself (tests/engines), so they show what a person sees at those steps.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureBuild, ensureDependencies } from './ensure-ready.js';

const FOLDER = resolve('docs/screenshots');
const ENGINES = ['chromium', 'gecko', 'webkit'];
const SHOTS = ['papers', 'consent'];

ensureDependencies();
ensureBuild();
mkdirSync(FOLDER, { recursive: true });
mkdirSync('test-reports', { recursive: true });
for (const engine of ENGINES) {
	for (const shot of SHOTS) rmSync(`${FOLDER}/${shot}-${engine}.png`, { force: true });
}
const run = spawnSync(
	'npx',
	['vitest', 'run', '--config', 'tests/engines/vitest.config.ts', ...process.argv.slice(2)],
	{ stdio: 'inherit', env: { ...process.env, PAPIERS_SCREENSHOTS_DIR: FOLDER } }
);

let missing = 0;
for (const engine of ENGINES) {
	for (const shot of SHOTS) {
		const path = `${FOLDER}/${shot}-${engine}.png`;
		if (existsSync(path)) {
			console.log(`${path}: ${Math.round(statSync(path).size / 1024)} KiB`);
		} else {
			console.log(`${path}: not taken (see the journey's failure above)`);
			missing += 1;
		}
	}
}
process.exit(run.status === 0 && missing === 0 ? 0 : 1);
