/**
 * The kit as a service gets it (packages/kit): built, packed with `npm pack`, installed from the
 * tarball into a scratch project (offline: it has no dependencies), and used from plain Node by
 * its package name, as a service would: build a consent link, decrypt a delivery made by the
 * wallet's own response builder, refuse a stranger's. Its type declarations are checked by tsc
 * the way a TypeScript service on `moduleResolution: node16` reads them.
 */

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPassportData } from '../../../src/lib/passport/build-response';
import { encodeFormPost } from '../../../src/lib/passport/delivery';
import { parseConsentRequest } from '../../../src/lib/passport/request';
import { ScanShelf, allElements, sharedKeys } from '../passport/helpers';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const kitSource = join(repoRoot, 'packages/kit');
let work: string;
let app: string;
let tarball: string;

const run = (command: string, args: string[], cwd: string) =>
	execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
	work = mkdtempSync(join(tmpdir(), 'papiers-kit-pack-'));
	// A copy of the package folder, so the test never writes into the checkout.
	const pkg = join(work, 'kit');
	mkdirSync(pkg);
	for (const file of ['package.json', 'README.md'])
		copyFileSync(join(kitSource, file), join(pkg, file));
	run(process.execPath, [join(repoRoot, 'scripts/build-kit.js'), pkg], repoRoot);
	// prepack would build again from ../../scripts, which this copy does not have.
	const packed = JSON.parse(
		run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], pkg)
	);
	tarball = join(work, packed[0].filename);
	app = join(work, 'app');
	mkdirSync(app);
	writeFileSync(
		join(app, 'package.json'),
		JSON.stringify({ name: 'scratch-service', private: true, type: 'module' })
	);
	run('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
}, 240_000);

afterAll(() => {
	if (work) rmSync(work, { recursive: true, force: true });
});

/** The scratch service's own code, plain JS importing the package by name. */
const LINK_SCRIPT = `
import { buildConsentUrl } from '@papiers/service-kit';
const [publicKey, nonce] = JSON.parse(process.argv[2]);
console.log(buildConsentUrl({
	walletUrl: 'https://wallet.example/',
	botId: '77',
	scope: { v: 1, d: [{ _: 'pd' }, { _: 'pp', s: 1 }, 'pn', 'em'] },
	publicKey,
	nonce,
	callbackUrl: 'https://service.example/callback'
}));
`;

const DECRYPT_SCRIPT = `
import { readFileSync } from 'node:fs';
import * as kit from '@papiers/service-kit';
const { privateKey, nonce, fields, tampered } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = {};
const outcome = await kit.decryptDelivery({ privateKey, fields, expectedNonce: nonce });
const passport = outcome.passport;
out.status = outcome.status;
out.personal = passport.byType.personal_details.data;
out.phone = passport.byType.phone_number.phone_number;
out.email = passport.byType.email.email;
out.selfieBytes = passport.byType.passport.selfie.bytes.length;
try {
	await kit.decryptDelivery({ privateKey, fields: tampered, expectedNonce: nonce });
	out.tampered = 'accepted';
} catch (error) {
	out.tampered = error instanceof kit.DeliveryError ? error.code : String(error);
}
try {
	await kit.decryptDelivery({ privateKey, fields });
	out.noNonce = 'accepted';
} catch (error) {
	out.noNonce = error.name;
}
console.log(JSON.stringify(out));
`;

const TYPES_CHECK = `
import { decryptDelivery, createNonceStore, DeliveryError, type DecryptedPassport } from '@papiers/service-kit';
const nonces = createNonceStore();
export async function handle(fields: URLSearchParams, session: string): Promise<DecryptedPassport | string> {
	try {
		const outcome = await decryptDelivery({ privateKey: 'pem', fields, consumeNonce: (n) => nonces.redeem(n, session) });
		return outcome.status === 'success' ? outcome.passport : outcome.status;
	} catch (error) {
		if (error instanceof DeliveryError) return error.code;
		throw error;
	}
}
// @ts-expect-error: no nonce check
decryptDelivery({ privateKey: 'pem', fields: new URLSearchParams() });
`;

describe('the kit as an npm package', () => {
	it('packs only its build, README and package.json, with no dependencies', () => {
		const listing = run('tar', ['-tzf', tarball], work).trim().split('\n').sort();
		expect(listing).toContain('package/package.json');
		expect(listing).toContain('package/README.md');
		expect(listing).toContain('package/dist/papiers-kit.js');
		expect(listing).toContain('package/dist/papiers-kit.browser.js');
		expect(listing).toContain('package/dist/index.d.ts');
		expect(listing.every((path) => /^package\/(package\.json|README\.md|dist\/)/.test(path))).toBe(
			true
		);
		const manifest = JSON.parse(readFileSync(join(kitSource, 'package.json'), 'utf8'));
		expect(manifest.private).toBeUndefined();
		expect(manifest.dependencies).toBeUndefined();
	});

	it.each([
		['node', []],
		['browser', ['--conditions=browser']]
	])(
		'is used from plain Node (%s build): consent link, a wallet-made delivery, refusals',
		async (_build, nodeFlags) => {
			writeFileSync(join(app, 'link.mjs'), LINK_SCRIPT);
			writeFileSync(join(app, 'decrypt.mjs'), DECRYPT_SCRIPT);
			const keys = sharedKeys();
			const link = run(
				process.execPath,
				[...nodeFlags, 'link.mjs', JSON.stringify([keys.spkiPem, 'scratch-nonce'])],
				app
			).trim();
			// The wallet reads the link and builds the response with its own code.
			const parsed = parseConsentRequest({ query: new URL(link).search });
			if (!parsed.ok) throw new Error(parsed.code);
			expect(parsed.request.nonce).toBe('scratch-nonce');
			const shelf = new ScanShelf();
			const built = await buildPassportData({
				request: parsed.request,
				elements: allElements(shelf),
				readScan: shelf.readScan
			});
			const fields = encodeFormPost(built);
			const tampered = fields.map(([name, value]): [string, string] =>
				name === 'passport_data'
					? [name, value.replace('"33612345678"', '"33600000000"')]
					: [name, value]
			);
			const input = join(app, 'delivery.json');
			writeFileSync(
				input,
				JSON.stringify({ privateKey: keys.pkcs8Pem, nonce: 'scratch-nonce', fields, tampered })
			);
			const out = JSON.parse(run(process.execPath, [...nodeFlags, 'decrypt.mjs', input], app));
			expect(out).toEqual({
				status: 'success',
				personal: expect.objectContaining({ first_name: 'Marie', birth_date: '07.11.1867' }),
				phone: '33612345678',
				email: 'marie@example.org',
				selfieBytes: shelf.scans.get('passport-selfie')!.length,
				tampered: 'HASH_MISMATCH',
				noNonce: 'TypeError'
			});
		},
		60_000
	);

	it('ships type declarations a node16 TypeScript service can use', () => {
		writeFileSync(join(app, 'check.ts'), TYPES_CHECK);
		const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
		const args = [tsc, 'check.ts', '--ignoreConfig', '--noEmit', '--strict'];
		args.push('--module', 'node16', '--moduleResolution', 'node16', '--lib', 'ES2022,DOM');
		args.push('--skipLibCheck', 'false');
		let output = '';
		try {
			run(process.execPath, args, app);
		} catch (error) {
			output = String((error as { stdout?: string }).stdout ?? error);
		}
		expect(output).toBe('');
	}, 60_000);
});
