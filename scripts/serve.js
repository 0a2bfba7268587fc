// Serves the production build (build/) the way a static host should: SPA fallback to
// index.html, no-cache on the shell and the service worker so updates are seen, long cache on
// hashed assets, and headers that keep the wallet out of frames. Every request is hostile until
// shown otherwise: nothing a client sends may stop the process or read a file outside build/.
import { createServer } from 'node:http';
import { realpathSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { contentSecurityPolicy, ERROR_POLICY, pagePolicy } from './csp-header.js';

const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json',
	'.webmanifest': 'application/manifest+json',
	'.png': 'image/png',
	'.svg': 'image/svg+xml',
	'.wasm': 'application/wasm',
	'.txt': 'text/plain; charset=utf-8',
	'.ico': 'image/x-icon'
};

const ALLOWED_METHODS = 'GET, HEAD';

/** Sent with every answer, errors included. */
const COMMON_HEADERS = {
	'x-frame-options': 'DENY',
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'no-referrer'
};

/** True when `target` is `base` or below it. By path.relative, never by prefix: a prefix check
 * lets `build-private/` pass for `build/`. */
function isInside(base, target) {
	const rel = relative(base, target);
	if (isAbsolute(rel)) return false; // another drive (Windows)
	return rel !== '..' && !rel.startsWith(`..${sep}`);
}

/** Stat that answers undefined for anything that is not there or cannot be looked at
 * (ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP, EACCES…). */
function statOrUndefined(path) {
	try {
		return statSync(path, { throwIfNoEntry: false });
	} catch {
		return undefined;
	}
}

/** The decoded path of the request, or undefined when it cannot be one. */
function requestPath(rawUrl) {
	let pathname;
	try {
		pathname = new URL(rawUrl ?? '/', 'http://localhost').pathname;
	} catch {
		return undefined; // e.g. an absolute-form target with a broken host: "http://[/"
	}
	let decoded;
	try {
		decoded = decodeURIComponent(pathname);
	} catch {
		return undefined; // a malformed escape: "/%E0%A4%A"
	}
	// File APIs refuse NUL (and some would truncate there): no file name holds one anyway.
	return decoded.includes('\0') ? undefined : decoded;
}

/**
 * Which file answers `decoded`: the file itself, `<path>.html`, or the SPA shell; `outside` when
 * the path (or a symlink on it) leaves build/.
 */
function pickFile(base, realBase, decoded) {
	const target = resolve(join(base, decoded));
	if (!isInside(base, target)) return { outside: true };
	const candidates = [target];
	// `<folder>.html` for a folder; never for build/ itself, whose `.html` is a sibling of build/.
	if (target !== base) candidates.push(`${target}.html`);
	for (const candidate of candidates) {
		if (!statOrUndefined(candidate)?.isFile()) continue;
		let real;
		try {
			real = realpathSync(candidate);
		} catch {
			continue; // removed since the stat
		}
		if (!isInside(realBase, real)) return { outside: true, symlink: true };
		return { path: candidate };
	}
	return { path: join(base, 'index.html'), fallback: true };
}

export function startStaticServer({ root = 'build', host = '127.0.0.1', port = 5173 } = {}) {
	const base = resolve(root);
	const shell = join(base, 'index.html');
	/** build/ itself may be a symlink to the current release: compare real paths with it. */
	const realBase = () => {
		try {
			return realpathSync(base);
		} catch {
			return base;
		}
	};

	function refuse(response, status, headers = {}) {
		response.writeHead(status, {
			...COMMON_HEADERS,
			'content-security-policy': ERROR_POLICY,
			'cache-control': 'no-store',
			...headers
		});
		response.end();
	}

	async function handle(request, response) {
		if (request.method !== 'GET' && request.method !== 'HEAD') {
			return refuse(response, 405, { allow: ALLOWED_METHODS });
		}
		const decoded = requestPath(request.url);
		if (decoded === undefined) return refuse(response, 400);
		const picked = pickFile(base, realBase(), decoded);
		// A symlink out of build/ is a file that is not served (404); a path spelled to climb out
		// of build/ is a bad request (400).
		if (picked.outside) return refuse(response, picked.symlink ? 404 : 400);

		let file;
		try {
			file = await open(picked.path, 'r');
		} catch {
			// build/ is being rewritten (or the shell is missing): answer, rather than crash.
			return refuse(response, 503, { 'retry-after': '1' });
		}
		const immutable = !picked.fallback && decoded.startsWith('/_app/immutable/');
		const headers = {
			...COMMON_HEADERS,
			'content-type': TYPES[extname(picked.path)] ?? 'application/octet-stream',
			'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache'
		};
		if (extname(picked.path) === '.html') {
			// A page is read whole and its header taken from the very bytes sent, so a build landing
			// meanwhile cannot pair one build's page with another's script hashes.
			let page;
			try {
				page = await file.readFile();
			} finally {
				await file.close();
			}
			const policy = pagePolicy(page.toString('utf8')) ?? contentSecurityPolicy(shell);
			response.writeHead(200, { ...headers, 'content-security-policy': policy });
			return response.end(request.method === 'HEAD' ? undefined : page);
		}
		// Assets carry the shell's policy: a worker's policy is its script's response header, and
		// the password worker's hash-wasm needs 'wasm-unsafe-eval'.
		response.writeHead(200, {
			...headers,
			'content-security-policy': contentSecurityPolicy(shell)
		});
		if (request.method === 'HEAD') {
			await file.close();
			return response.end();
		}
		const stream = file.createReadStream();
		stream.on('error', () => response.destroy());
		stream.pipe(response);
	}

	// Consent links carry a service's key and possibly a list of errors: allow long URLs
	// (the wallet's parser accepts up to 256 KiB of query). Longer ones get Node's 431.
	const server = createServer({ maxHeaderSize: 320 * 1024 }, (request, response) => {
		handle(request, response).catch((error) => {
			console.error('serve.js:', error);
			if (!response.headersSent) refuse(response, 500);
			else response.destroy();
		});
	});
	return new Promise((resolvePromise, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolvePromise(server));
	});
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const port = Number(process.env.PORT ?? 5173);
	const host = process.env.HOST ?? '127.0.0.1';
	const root = process.env.ROOT ?? 'build';
	const server = await startStaticServer({ root, host, port });
	const address = server.address();
	console.log(`Papiers wallet on http://localhost:${address?.port ?? port}`);
}
