// `npm start`: everything a person needs on localhost, in one command:
// the wallet (production build with its service worker) on http://localhost:5173,
// the signaling relay on 127.0.0.1:4444 and the example service on http://localhost:5174.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureBuild, ensureDependencies } from './ensure-ready.js';

ensureDependencies();
ensureBuild();

const children = [];
function run(name, args, env = {}) {
	const child = spawn(process.execPath, args, {
		stdio: 'inherit',
		env: { ...process.env, ...env }
	});
	child.on('exit', (code) => {
		console.log(`${name} stopped (${code ?? 'signal'})`);
		shutdown(code ?? 1);
	});
	children.push(child);
}

function shutdown(code = 0) {
	for (const child of children) child.kill();
	process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

run('wallet', ['scripts/serve.js'], { PORT: process.env.WALLET_PORT ?? '5173' });
if (existsSync('scripts/relay.js')) run('relay', ['scripts/relay.js'], { PORT: '4444' });
if (existsSync('example/server.js')) {
	run('example service', ['example/server.js'], {
		PORT: process.env.EXAMPLE_PORT ?? '5174',
		WALLET_URL: process.env.WALLET_URL ?? 'http://localhost:5173'
	});
}
