/**
 * Starts the example service once for every engine, behind a small HTTPS front with a
 * certificate made on the spot (servers.ts says why HTTPS), and stops both at the end.
 */

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { EXAMPLE_HTTP_PORT, EXAMPLE_PORT, EXAMPLE_URL, WALLET_URL } from './servers';

const DATA_DIR = 'test-reports/engines-example-data';

/** A throwaway self-signed certificate for localhost (the browsers accept it for this run only). */
function makeCertificate(dir: string) {
	execFileSync(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'ec',
			'-pkeyopt',
			'ec_paramgen_curve:P-256',
			'-nodes',
			'-days',
			'2',
			'-subj',
			'/CN=localhost',
			'-addext',
			'subjectAltName=DNS:localhost,IP:127.0.0.1',
			'-keyout',
			`${dir}/key.pem`,
			'-out',
			`${dir}/cert.pem`
		],
		{ stdio: 'ignore' }
	);
	return { key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/cert.pem`) };
}

async function waitFor(url: string, alive: () => boolean) {
	// It builds the service kit and makes an RSA key first: seconds when idle, a loaded CI machine
	// takes longer; the bound only stops a hang.
	const deadline = Date.now() + 120_000;
	for (;;) {
		if (!alive()) throw new Error(`example/server.js exited before answering at ${url}`);
		try {
			if ((await fetch(url)).ok) return;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) throw new Error(`example/server.js did not answer at ${url}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

export default async function setup() {
	rmSync(DATA_DIR, { recursive: true, force: true });
	mkdirSync(DATA_DIR, { recursive: true });
	const example = spawn('node', ['example/server.js'], {
		stdio: ['ignore', 'ignore', 'inherit'],
		env: {
			...process.env,
			PORT: String(EXAMPLE_HTTP_PORT),
			PUBLIC_URL: EXAMPLE_URL,
			WALLET_URL,
			DATA_DIR
		}
	});
	await waitFor(`http://localhost:${EXAMPLE_HTTP_PORT}`, () => example.exitCode === null);

	// The HTTPS front: every request passed through as it came, every answer passed back.
	const front = createHttpsServer(makeCertificate(DATA_DIR), (incoming, outgoing) => {
		const forwarded = httpRequest(
			{
				host: 'localhost',
				port: EXAMPLE_HTTP_PORT,
				method: incoming.method,
				path: incoming.url,
				headers: incoming.headers
			},
			(answer) => {
				outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(outgoing);
			}
		);
		forwarded.on('error', () => outgoing.destroy());
		incoming.pipe(forwarded);
	});
	await new Promise<void>((resolve) => front.listen(EXAMPLE_PORT, '127.0.0.1', resolve));

	return async () => {
		front.closeAllConnections();
		await new Promise((resolve) => front.close(resolve));
		example.kill();
	};
}
