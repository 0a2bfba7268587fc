/**
 * Starts the real static server (scripts/serve.js) as its own process, the way `npm start` and
 * the e2e suite do, so a request that crashes it shows as a dead process rather than a failed
 * test worker. Requests are written raw on a socket: fetch and http.request would normalise
 * `..` and refuse some of the bytes an attacker sends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SECRET = 'the-secret-that-must-never-be-served';

/** A sibling of the CSP meta tag SvelteKit writes into the built shell. */
export const FIXTURE_META_POLICY =
	"default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-AAAAfixturehashAAAA='; " +
	"base-uri 'self'; form-action 'self' https: http://localhost:*";

/**
 * A folder laid out like build/, with secrets next to it: a sibling folder whose name starts
 * with "build" (what a prefix check lets through), a sibling `build.html`, and symlinks from
 * inside build/ to both.
 */
export function makeSite(): { dir: string; root: string; cleanup: () => void } {
	const dir = mkdtempSync(join(tmpdir(), 'papiers-serve-'));
	const root = join(dir, 'build');
	mkdirSync(join(root, '_app', 'immutable', 'chunks'), { recursive: true });
	mkdirSync(join(root, 'empty-folder'), { recursive: true });
	mkdirSync(join(dir, 'build-private'));
	writeFileSync(
		join(root, 'index.html'),
		`<!doctype html><html><head><meta http-equiv="content-security-policy" content="${FIXTURE_META_POLICY}">` +
			`<title>shell</title></head><body>the-wallet-shell</body></html>`
	);
	writeFileSync(join(root, '_app', 'immutable', 'chunks', 'app.js'), 'console.log("app");');
	writeFileSync(join(root, '_app', 'version.json'), '{"version":"1"}');
	writeFileSync(join(root, 'service-worker.js'), 'self.addEventListener("fetch", () => {});');
	writeFileSync(join(dir, 'build-private', 'secret.txt'), SECRET);
	writeFileSync(join(dir, 'build.html'), SECRET);
	writeFileSync(join(dir, 'secret.txt'), SECRET);
	symlinkSync(join(dir, 'build-private', 'secret.txt'), join(root, 'linked-secret.txt'));
	symlinkSync(join(dir, 'build-private'), join(root, 'linked-folder'));
	symlinkSync(join(root, '_app', 'version.json'), join(root, 'linked-inside.json'));
	return { dir, root, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			probe.close(() => resolve(port));
		});
	});
}

export interface RunningServer {
	port: number;
	child: ChildProcess;
	alive: () => boolean;
	output: () => string;
	stop: () => Promise<void>;
}

/** Another process may take the free port before serve.js binds it: then try another one. */
export async function startServer(root: string): Promise<RunningServer> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await startServerOnce(root);
		} catch (error) {
			if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
		}
	}
}

async function startServerOnce(root: string): Promise<RunningServer> {
	const port = await freePort();
	const child = spawn(process.execPath, ['scripts/serve.js'], {
		env: { ...process.env, ROOT: root, PORT: String(port), HOST: '127.0.0.1' },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout?.on('data', (chunk) => (output += chunk));
	child.stderr?.on('data', (chunk) => (output += chunk));
	await new Promise<void>((resolve, reject) => {
		const check = () => {
			if (output.includes('Papiers wallet on')) resolve();
		};
		child.stdout?.on('data', check);
		child.once('exit', (code) => reject(new Error(`serve.js exited (${code}): ${output}`)));
	});
	return {
		port,
		child,
		alive: () => child.exitCode === null && child.signalCode === null,
		output: () => output,
		stop: () =>
			new Promise((resolve) => {
				if (child.exitCode !== null || child.signalCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill();
			})
	};
}

export interface RawResponse {
	/** 0 when the server closed the connection without answering (it crashed). */
	status: number;
	headers: Record<string, string>;
	body: string;
}

/** Sends `method target HTTP/1.1` exactly as given, and reads the whole answer. */
export function rawRequest(
	port: number,
	target: string,
	options: { method?: string; headers?: string[] } = {}
): Promise<RawResponse> {
	const method = options.method ?? 'GET';
	const lines = [`${method} ${target} HTTP/1.1`, 'Host: localhost', 'Connection: close'];
	lines.push(...(options.headers ?? []));
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		const chunks: Buffer[] = [];
		socket.on('data', (chunk) => chunks.push(chunk));
		const finish = () => resolve(parseResponse(Buffer.concat(chunks).toString('latin1')));
		socket.on('error', finish);
		socket.on('close', finish);
		socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
	});
}

function parseResponse(text: string): RawResponse {
	const match = /^HTTP\/1\.1 (\d{3})[^\r\n]*\r\n/.exec(text);
	if (!match) return { status: 0, headers: {}, body: text };
	const headerEnd = text.indexOf('\r\n\r\n');
	const headers: Record<string, string> = {};
	for (const line of text.slice(match[0].length, headerEnd).split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
	}
	let body = text.slice(headerEnd + 4);
	if (headers['transfer-encoding'] === 'chunked') body = unchunk(body);
	return { status: Number(match[1]), headers, body };
}

function unchunk(text: string): string {
	let out = '';
	let rest = text;
	for (;;) {
		const lineEnd = rest.indexOf('\r\n');
		if (lineEnd < 0) return out;
		const size = parseInt(rest.slice(0, lineEnd), 16);
		if (!size) return out;
		out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
		rest = rest.slice(lineEnd + 2 + size + 2);
	}
}
