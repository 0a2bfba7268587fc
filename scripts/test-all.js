// `npm test`: every unit and browser test (Playwright on Chromium, then the cross-engine journey on
// Chromium, Gecko and WebKit: tests/engines), then one line `N passed, N failed` summing them all.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureBuild, ensureDependencies } from './ensure-ready.js';

ensureDependencies();
ensureBuild();
rmSync('test-reports', { recursive: true, force: true });
mkdirSync('test-reports', { recursive: true });

const unit = spawnSync(
	'npx',
	[
		'vitest',
		'run',
		'--reporter=default',
		'--reporter=json',
		'--outputFile=test-reports/vitest.json'
	],
	{ stdio: 'inherit' }
);
const e2e = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], {
	stdio: 'inherit'
});
// An engine that is not installed fails its first test, with what to install (CI installs them).
const engines = spawnSync(
	'npx',
	[
		'vitest',
		'run',
		'--config',
		'tests/engines/vitest.config.ts',
		'--reporter=default',
		'--reporter=json',
		'--outputFile=test-reports/engines.json'
	],
	{ stdio: 'inherit' }
);

function readJson(path) {
	try {
		return JSON.parse(readFileSync(path, 'utf8'));
	} catch {
		return undefined;
	}
}

const unitReport = readJson('test-reports/vitest.json');
const enginesReport = readJson('test-reports/engines.json');
const e2eReport = readJson('test-reports/playwright.json');
let passed = 0;
let failed = 0;
if (unitReport) {
	passed += unitReport.numPassedTests;
	failed += unitReport.numFailedTests;
	if (unitReport.numTotalTests === 0 || (unit.status !== 0 && unitReport.numFailedTests === 0))
		failed += 1;
} else failed += 1; // the unit runner crashed before reporting
if (e2eReport && existsSync('test-reports/playwright.json')) {
	passed += e2eReport.stats.expected + e2eReport.stats.flaky;
	failed += e2eReport.stats.unexpected;
	if (e2e.status !== 0 && e2eReport.stats.unexpected === 0) failed += 1; // e.g. a server did not start
} else failed += 1;
if (enginesReport) {
	// Steps after a failed one are skipped (counted neither way): the failure says which step.
	passed += enginesReport.numPassedTests;
	failed += enginesReport.numFailedTests;
	if (
		enginesReport.numTotalTests === 0 ||
		(engines.status !== 0 && enginesReport.numFailedTests === 0)
	)
		failed += 1; // e.g. the example service did not start
} else failed += 1;

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
