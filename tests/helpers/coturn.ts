/**
 * A throwaway coturn (Debian's `coturn`; .ci/run installs it) for the TURN tests: UDP on
 * loopback, the shared-secret scheme the relay's credentials use (`use-auth-secret`), and
 * `--allow-loopback-peers`, without which coturn (4.5.2+) refuses to relay to 127.0.0.1. That
 * flag is for this loopback test only: deploy/turnserver.conf never sets it.
 *
 * Also a UDP tap to put in front of it: every datagram between the browsers and coturn passes
 * through the tap, which looks for a marker in it, so a test sees what the TURN path carries.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TURNSERVER = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';
export const hasCoturn = () => existsSync(TURNSERVER);

/** How long coturn may take to answer on a loaded machine. */
const START_TIMEOUT_MS = 30_000;

/** A UDP port nothing uses now (the kernel's pick, released for the caller). */
export function freeUdpPort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const socket = dgram.createSocket('udp4');
		socket.once('error', reject);
		socket.bind(0, '127.0.0.1', () => {
			const { port } = socket.address();
			socket.close(() => resolve(port));
		});
	});
}

/** Resolves once something answers a STUN Binding request on 127.0.0.1:port. */
async function stunAnswers(port: number, timeoutMs: number): Promise<void> {
	const socket = dgram.createSocket('udp4');
	const request = Buffer.alloc(20);
	request.writeUInt16BE(0x0001, 0); // Binding request, no attributes
	request.writeUInt32BE(0x2112a442, 4); // magic cookie
	randomBytes(12).copy(request, 8);
	try {
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('coturn never answered')), timeoutMs);
			socket.on('message', () => {
				clearTimeout(timer);
				clearInterval(again);
				resolve();
			});
			socket.on('error', () => {}); // ICMP port unreachable until it listens
			const send = () => socket.send(request, port, '127.0.0.1');
			const again = setInterval(send, 100);
			send();
		});
	} finally {
		socket.close();
	}
}

export interface Coturn {
	port: number;
	/** Everything coturn logged. */
	output(): string;
	stop(): Promise<void>;
}

export async function startCoturn(options: { secret: string; realm?: string }): Promise<Coturn> {
	if (!hasCoturn()) throw new Error(`No ${TURNSERVER}: apt-get install coturn (.ci/run does)`);
	const port = await freeUdpPort();
	// Relay ports: a block of 100 somewhere high, away from the kernel's ephemeral range's start.
	const minPort = 20_000 + Math.floor(Math.random() * 300) * 100;
	const dir = mkdtempSync(join(tmpdir(), 'papiers-coturn-'));
	const child: ChildProcess = spawn(
		TURNSERVER,
		[
			'-n', // no configuration file: everything is on this line
			'--listening-ip=127.0.0.1',
			'--relay-ip=127.0.0.1',
			`--listening-port=${port}`,
			`--min-port=${minPort}`,
			`--max-port=${minPort + 99}`,
			'--use-auth-secret',
			`--static-auth-secret=${options.secret}`,
			`--realm=${options.realm ?? 'papiers.test'}`,
			'--fingerprint',
			'--no-tls',
			'--no-dtls',
			'--no-tcp',
			'--no-cli',
			'--allow-loopback-peers',
			`--userdb=${join(dir, 'turndb')}`,
			`--pidfile=${join(dir, 'turnserver.pid')}`,
			'--log-file=stdout',
			'--simple-log'
		],
		{ stdio: ['ignore', 'pipe', 'pipe'] }
	);
	let output = '';
	child.stdout?.on('data', (chunk) => (output += chunk));
	child.stderr?.on('data', (chunk) => (output += chunk));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		await exited;
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		await Promise.race([
			stunAnswers(port, START_TIMEOUT_MS),
			exited.then(() => {
				throw new Error(`coturn exited:\n${output}`);
			})
		]);
	} catch (error) {
		await stop();
		throw error;
	}
	return { port, output: () => output, stop };
}

/**
 * Runs coturn's own test client: one allocation with these credentials, a few packets relayed
 * to a peer through it. True when coturn relayed them.
 */
export function uclientAllocates(port: number, username: string, credential: string): boolean {
	const result = spawnSync(
		'/usr/bin/turnutils_uclient',
		[
			'-u',
			username,
			'-w',
			credential,
			'-p',
			String(port),
			'-e',
			'127.0.0.1',
			'-y',
			'-n',
			'2',
			'127.0.0.1'
		],
		{ encoding: 'utf8', timeout: 60_000, input: '' }
	);
	const text = `${result.stdout}${result.stderr}`;
	return (
		!/Cannot complete Allocation|error 401|Unauthorized/i.test(text) &&
		/tot_recv_bytes ~ [1-9]/.test(text)
	);
}

export interface UdpTap {
	/** Give this port to the browsers as the TURN server's. */
	port: number;
	/** Datagrams and bytes seen, both ways. */
	datagrams(): number;
	bytes(): number;
	/** Datagrams (or two in a row of one flow) that contained one of the needles. */
	hits(needle: string): number;
	close(): void;
}

/**
 * A UDP forwarder to 127.0.0.1:upstreamPort that looks for each needle in what passes, per flow
 * (so a needle split between two datagrams is found too).
 */
export async function startUdpTap(upstreamPort: number, needles: string[]): Promise<UdpTap> {
	const front = dgram.createSocket('udp4');
	const patterns = needles.map((needle) => Buffer.from(needle));
	const counts = new Map<string, number>(needles.map((needle) => [needle, 0]));
	const tails = new Map<string, Buffer>();
	let datagrams = 0;
	let bytes = 0;
	const longest = Math.max(1, ...patterns.map((pattern) => pattern.length));
	const look = (flow: string, data: Buffer) => {
		datagrams++;
		bytes += data.length;
		const window = Buffer.concat([tails.get(flow) ?? Buffer.alloc(0), data]);
		const tailLength = (tails.get(flow) ?? Buffer.alloc(0)).length;
		patterns.forEach((pattern, i) => {
			const at = window.indexOf(pattern);
			// Found, and not entirely inside the tail (already counted with the previous datagram).
			if (at >= 0 && at + pattern.length > tailLength) {
				counts.set(needles[i], counts.get(needles[i])! + 1);
			}
		});
		tails.set(flow, window.subarray(Math.max(0, window.length - (longest - 1))));
	};
	/** Per flow: its socket to coturn, and what waits for that socket to connect. */
	const flows = new Map<string, { socket: dgram.Socket; waiting: Buffer[] | undefined }>();
	front.on('message', (data, from) => {
		const key = `${from.address}:${from.port}`;
		let flow = flows.get(key);
		if (!flow) {
			const socket = dgram.createSocket('udp4');
			const created = { socket, waiting: [] as Buffer[] | undefined };
			socket.on('error', () => {});
			socket.on('message', (answer) => {
				look(`${key}<`, answer);
				front.send(answer, from.port, from.address);
			});
			socket.connect(upstreamPort, '127.0.0.1', () => {
				for (const datagram of created.waiting ?? []) socket.send(datagram);
				created.waiting = undefined;
			});
			flows.set(key, (flow = created));
		}
		look(`${key}>`, data);
		if (flow.waiting) flow.waiting.push(data);
		else flow.socket.send(data);
	});
	front.on('error', () => {});
	await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', () => resolve()));
	return {
		port: front.address().port,
		datagrams: () => datagrams,
		bytes: () => bytes,
		hits: (needle) => counts.get(needle) ?? 0,
		close() {
			for (const flow of flows.values()) flow.socket.close();
			front.close();
		}
	};
}
