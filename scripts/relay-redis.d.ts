export const CHANNEL_PREFIX: string;

export interface RedisBridge {
	instanceId: string;
	isConnected(): boolean;
	subscribedTopics(): string[];
	dropped(): number;
	listen(topic: string): void;
	unlisten(topic: string): void;
	publish(topic: string, text: string): void;
	close(): Promise<void>;
}

export function startRedisBridge(options: {
	url: string;
	onMessage: (topic: string, text: string) => void;
	maxMessageBytes: number;
	log: (kind: string, text: string) => void;
	channelPrefix?: string;
}): RedisBridge;
