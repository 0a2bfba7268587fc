/**
 * A small client of the signaling relay's publish/subscribe protocol (scripts/relay.js, the same
 * as y-webrtc's server: subscribe, unsubscribe, publish to a topic), for the few messages that
 * are not a Yjs document: pairing a new device and handing a new vault key over after a device
 * is removed. Those exchanges are a handful of small messages, so they go through the relay
 * itself rather than a WebRTC connection; what they carry is sealed by mailbox.ts, the relay
 * only ever sees topic names and ciphertext.
 *
 * One WebSocket per relay URL, shared by every topic; each (re)connection subscribes again and
 * tells onConnect listeners, so protocols can repeat what a restarting relay lost. A publish
 * while no relay is connected is dropped: every protocol here repeats itself until answered.
 */

/** The part of the WebSocket interface used here; the browser's and the `ws` package's fit. */
export interface RelaySocket {
	readonly readyState: number;
	send(data: string): void;
	close(): void;
	onopen: ((event: unknown) => void) | null;
	onmessage: ((event: { data: unknown }) => void) | null;
	onclose: ((event: unknown) => void) | null;
	onerror: ((event: unknown) => void) | null;
}

export type SocketFactory = (url: string) => RelaySocket;

const OPEN = 1;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5_000;

type TopicListener = (data: string) => void;

const browserSockets: SocketFactory = (url) => new WebSocket(url) as unknown as RelaySocket;

class Connection {
	readonly url: string;
	#client: RelayClient;
	#socket: RelaySocket | undefined;
	#retryMs = FIRST_RETRY_MS;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#closed = false;

	constructor(url: string, client: RelayClient) {
		this.url = url;
		this.#client = client;
		this.#open();
	}

	get isOpen(): boolean {
		return this.#socket?.readyState === OPEN;
	}

	send(message: unknown): void {
		if (this.isOpen) this.#socket!.send(JSON.stringify(message));
	}

	close(): void {
		this.#closed = true;
		clearTimeout(this.#timer);
		const socket = this.#socket;
		this.#socket = undefined;
		if (socket) {
			socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
			socket.close();
		}
	}

	#open(): void {
		if (this.#closed) return;
		let socket: RelaySocket;
		try {
			socket = this.#client.createSocket(this.url);
		} catch {
			this.#retry();
			return;
		}
		this.#socket = socket;
		socket.onopen = () => {
			this.#retryMs = FIRST_RETRY_MS;
			const topics = this.#client.topics();
			if (topics.length) this.send({ type: 'subscribe', topics });
			this.#client.connected(this.url);
		};
		socket.onmessage = (event) => {
			if (typeof event.data !== 'string') return;
			let message: { type?: unknown; topic?: unknown; data?: unknown };
			try {
				message = JSON.parse(event.data);
			} catch {
				return;
			}
			if (message?.type === 'publish' && typeof message.topic === 'string') {
				if (typeof message.data === 'string') this.#client.deliver(message.topic, message.data);
			}
		};
		socket.onclose = () => {
			if (this.#socket === socket) this.#retry();
		};
		socket.onerror = () => socket.close();
	}

	#retry(): void {
		this.#socket = undefined;
		if (this.#closed) return;
		this.#timer = setTimeout(() => this.#open(), this.#retryMs);
		this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2);
	}
}

export class RelayClient {
	readonly createSocket: SocketFactory;
	#connections: Connection[];
	#listeners = new Map<string, Set<TopicListener>>();
	#connectListeners = new Set<() => void>();
	#closed = false;

	constructor(options: { urls: readonly string[]; createSocket?: SocketFactory }) {
		if (options.urls.length === 0) throw new Error('The relay client needs at least one URL');
		this.createSocket = options.createSocket ?? browserSockets;
		this.#connections = options.urls.map((url) => new Connection(url, this));
	}

	/** True while at least one relay is connected. */
	get isConnected(): boolean {
		return this.#connections.some((connection) => connection.isOpen);
	}

	/** Receives every message published on `topic`, ours included; returns an unsubscribe. */
	subscribe(topic: string, listener: TopicListener): () => void {
		let listeners = this.#listeners.get(topic);
		if (!listeners) {
			this.#listeners.set(topic, (listeners = new Set()));
			for (const connection of this.#connections) {
				connection.send({ type: 'subscribe', topics: [topic] });
			}
		}
		listeners.add(listener);
		return () => {
			const set = this.#listeners.get(topic);
			if (!set?.delete(listener) || set.size > 0) return;
			this.#listeners.delete(topic);
			for (const connection of this.#connections) {
				connection.send({ type: 'unsubscribe', topics: [topic] });
			}
		};
	}

	publish(topic: string, data: string): void {
		for (const connection of this.#connections) connection.send({ type: 'publish', topic, data });
	}

	/** Called after each (re)connection to a relay, once subscriptions are renewed. */
	onConnect(listener: () => void): () => void {
		this.#connectListeners.add(listener);
		return () => this.#connectListeners.delete(listener);
	}

	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		for (const connection of this.#connections) connection.close();
		this.#listeners.clear();
		this.#connectListeners.clear();
	}

	/** @internal */
	topics(): string[] {
		return [...this.#listeners.keys()];
	}

	/** @internal */
	connected(_url: string): void {
		for (const listener of [...this.#connectListeners]) listener();
	}

	/** @internal */
	deliver(topic: string, data: string): void {
		for (const listener of [...(this.#listeners.get(topic) ?? [])]) listener(data);
	}
}
