/**
 * The relay as it is deployed: `node scripts/relay.js` in its own process, configured by
 * environment variables. A hostile client that kills the relay shows here as a process that
 * exited, with its last words in `output()`; its memory is its own (VmRSS), not the test's.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface RelayProcess {
	url: string;
	port: number;
	pid: number;
	/** The relay process's resident memory, in bytes. */
	rss(): number;
	/** Null while it runs. */
	exitCode(): number | string | null;
	/** Everything it printed, stdout and stderr. */
	output(): string;
	stop(): Promise<void>;
}

/** How long a relay may take to start on a loaded machine (node startup, module loading). */
const START_TIMEOUT_MS = 30_000;

export async function spawnRelay(
	env: Record<string, string> = {},
	options: { openFiles?: number } = {}
): Promise<RelayProcess> {
	const node = process.execPath;
	// `ulimit -n` caps the relay's file descriptors, so a test can flood it past that limit.
	const child = options.openFiles
		? spawn('sh', ['-c', `ulimit -n ${options.openFiles} && exec "$0" scripts/relay.js`, node], {
				env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env }
			})
		: spawn(node, ['scripts/relay.js'], {
				env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env }
			});
	let output = '';
	let exit: number | string | null = null;
	const exited = new Promise<void>((resolve) =>
		child.once('exit', (code, signal) => {
			exit = code ?? signal;
			resolve();
		})
	);
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`Relay did not start:\n${output}`)),
			START_TIMEOUT_MS
		);
		const read = (chunk: Buffer) => {
			output += chunk.toString();
			const match = /listening on (ws:\/\/\S+)/.exec(output);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]);
			}
		};
		child.stdout.on('data', read);
		child.stderr.on('data', read);
		void exited.then(() => {
			clearTimeout(timer);
			reject(new Error(`Relay exited (${exit}) before listening:\n${output}`));
		});
	});
	return {
		url,
		port: Number(new URL(url).port),
		pid: child.pid!,
		rss() {
			const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
			return Number(match![1]) * 1024;
		},
		exitCode: () => exit,
		output: () => output,
		async stop() {
			if (exit === null) child.kill('SIGKILL');
			await exited;
		}
	};
}
