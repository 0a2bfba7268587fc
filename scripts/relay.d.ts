import type { RelayLimits } from './relay-limits.js';

export type { RelayLimits } from './relay-limits.js';

export interface RelayOptions {
	/** Default 127.0.0.1. */
	host?: string;
	/** Default 4444; 0 picks a free port. */
	port?: number;
	/** Called with every raw message a client sends, before it is relayed, and who sent it. */
	onMessage?: (text: string, from: { connection: number; userAgent: string }) => void;
	/** Appends every raw message, one per line. */
	tapFile?: string;
	/** Overrides of DEFAULT_LIMITS (scripts/relay-limits.js); the command line reads RELAY_* variables. */
	limits?: Partial<RelayLimits>;
	/** Peers whose X-Forwarded-For names the client. Default: loopback. */
	trustedProxies?: Iterable<string>;
}

export interface RunningRelay {
	host: string;
	port: number;
	/** ws://host:port, ready for y-webrtc's `signaling` option. */
	url: string;
	/** The limits in force. */
	limits: Readonly<RelayLimits>;
	/** Open connections (those refused over a limit are not counted). */
	connections(): number;
	/** Bytes waiting to be sent, over every connection. */
	queuedBytes(): number;
	close(): Promise<void>;
}

export function startRelay(options?: RelayOptions): Promise<RunningRelay>;
