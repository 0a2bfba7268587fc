import type { Server } from 'node:http';

export interface ExampleServiceOptions {
	port?: number;
	host?: string;
	walletUrl?: string;
	publicUrl?: string;
	botId?: string;
	dataDir?: string;
	kitDir?: string;
}

export function startExampleService(options?: ExampleServiceOptions): Promise<{
	server: Server;
	url: string;
	port: number;
	close: () => Promise<void>;
}>;
