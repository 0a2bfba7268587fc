/**
 * A throwaway `redis-server` (Debian's package; .ci/run installs it) for the relay's tests: a
 * plain process on a free loopback port, nothing saved to disk, that a test can kill (SIGKILL,
 * as a crash) and start again on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';

export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';
export const hasRedisServer = () => existsSync(REDIS_SERVER);

/** How long redis-server may take to accept connections on a loaded machine. */
const START_TIMEOUT_MS = 30_000;

/** A port nothing listens on now (the kernel's pick, released for the caller). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

export interface RedisServer {
	port: number;
	url: string;
	/** SIGKILL, as a crash: no goodbye to its clients. Resolves once the process is gone. */
	kill(): Promise<void>;
	/** Starts it again on the same port (empty, as after a crash with no persistence). */
	restart(): Promise<void>;
	stop(): Promise<void>;
}

function launch(port: number): Promise<ChildProcess> {
	if (!hasRedisServer()) {
		throw new Error(`No ${REDIS_SERVER}: apt-get install redis-server (.ci/run does)`);
	}
	const child = spawn(
		REDIS_SERVER,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
		{ stdio: ['ignore', 'pipe', 'pipe'] }
	);
	let output = '';
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`redis-server did not start:\n${output}`));
		}, START_TIMEOUT_MS);
		const read = (chunk: Buffer) => {
			output += chunk.toString();
			if (output.includes('Ready to accept connections')) {
				clearTimeout(timer);
				child.stdout?.off('data', read);
				resolve(child);
			}
		};
		child.stdout?.on('data', read);
		child.stderr?.on('data', read);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`redis-server exited (${code}):\n${output}`));
		});
	});
}

export async function startRedisServer(): Promise<RedisServer> {
	const port = await freePort();
	let child: ChildProcess | undefined = await launch(port);
	const kill = async () => {
		const running = child;
		child = undefined;
		if (!running || running.exitCode !== null || running.signalCode !== null) return;
		await new Promise<void>((resolve) => {
			running.once('exit', () => resolve());
			running.kill('SIGKILL');
		});
	};
	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		kill,
		async restart() {
			await kill();
			child = await launch(port);
		},
		stop: kill
	};
}
