// Serves the production build (build/) the way a static host should: SPA fallback to
// index.html, no-cache on the shell and the service worker so updates are seen, long cache on
// hashed assets, and headers that keep the wallet out of frames.
import { createServer } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';

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

export function startStaticServer({ root = 'build', host = '127.0.0.1', port = 5173 } = {}) {
	const base = resolve(root);
	// Consent links carry a service's key and possibly a list of errors: allow long URLs
	// (the wallet's parser accepts up to 256 KiB of query).
	const server = createServer({ maxHeaderSize: 320 * 1024 }, (request, response) => {
		const url = new URL(request.url ?? '/', 'http://localhost');
		let path = normalize(join(base, decodeURIComponent(url.pathname)));
		if (!path.startsWith(base)) {
			response.writeHead(400).end();
			return;
		}
		if (!existsSync(path) || statSync(path).isDirectory()) {
			const html = `${path.replace(/\/$/, '')}.html`;
			path = existsSync(html) ? html : join(base, 'index.html');
		}
		if (!existsSync(path)) {
			// build/ is being rewritten: answer, rather than crash the server.
			response.writeHead(503, { 'retry-after': '1' }).end();
			return;
		}
		const type = TYPES[extname(path)] ?? 'application/octet-stream';
		const immutable = url.pathname.startsWith('/_app/immutable/');
		response.writeHead(200, {
			'content-type': type,
			'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
			'x-frame-options': 'DENY',
			'content-security-policy': "frame-ancestors 'none'",
			'x-content-type-options': 'nosniff',
			'referrer-policy': 'no-referrer'
		});
		if (request.method === 'HEAD') return response.end();
		createReadStream(path).pipe(response);
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
	await startStaticServer({ root, host, port });
	console.log(`Papiers wallet on http://localhost:${port}`);
}
