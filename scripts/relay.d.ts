export interface RelayOptions {
	/** Default 127.0.0.1. */
	host?: string;
	/** Default 4444; 0 picks a free port. */
	port?: number;
	/** Called with every raw message a client sends, before it is relayed, and who sent it. */
	onMessage?: (text: string, from: { connection: number; userAgent: string }) => void;
	/** Appends every raw message, one per line. */
	tapFile?: string;
}

export interface RunningRelay {
	host: string;
	port: number;
	/** ws://host:port, ready for y-webrtc's `signaling` option. */
	url: string;
	connections(): number;
	close(): Promise<void>;
}

export function startRelay(options?: RelayOptions): Promise<RunningRelay>;
