import type { RelayLimits } from './relay-limits.js';
import type { TurnConfig } from './relay-turn.js';

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
	/** Share rooms with other instances through this Redis (REDIS_URL); unset: in memory only. */
	redisUrl?: string;
	/** Hand out coturn credentials at GET …/turn-credentials (TURN_* variables). */
	turn?: TurnConfig;
}

export interface RelayRedisStatus {
	/** Random per process; tags what it publishes so it can drop its own messages coming back. */
	instanceId: string;
	/** Both Redis connections (publish, subscribe) are up. */
	isConnected(): boolean;
	/** Topics this instance is subscribed to in Redis now. */
	subscribedTopics(): string[];
	/** Publishes not passed on because Redis was away. */
	dropped(): number;
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
	/** Undefined without redisUrl. */
	redis: RelayRedisStatus | undefined;
	/** Bytes waiting to be sent, over every connection. */
	queuedBytes(): number;
	close(): Promise<void>;
}

export function startRelay(options?: RelayOptions): Promise<RunningRelay>;
