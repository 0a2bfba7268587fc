/**
 * TURN servers from the relay the wallet already uses, so nobody types a TURN password: each
 * time sync starts, the wallet asks every signaling relay in its settings for short-lived coturn
 * credentials (GET <relay>/turn-credentials, scripts/relay-turn.js) and adds them after the ICE
 * servers typed in Settings, which keep working as before.
 *
 * wss://host/relay answers at https://host/relay/turn-credentials, ws://localhost:4444 at
 * http://localhost:4444/turn-credentials: the relay's own origin, which the wallet's CSP
 * connect-src allows (svelte.config.js: http:, https:, ws:, wss:). A relay without TURN answers
 * an empty list; a relay that does not answer in time, or answers something that is not a TURN
 * server, adds nothing, and sync starts with the servers from Settings alone.
 *
 * What TURN carries is DTLS-encrypted WebRTC traffic of a sync that is itself sealed: the TURN
 * server sees addresses and sizes, never papers.
 */
import { iceServerProblem } from './settings';

export const TURN_CREDENTIALS_PATH = '/turn-credentials';
/** Sync waits this long at most for the relay's answer before starting without it. */
export const TURN_FETCH_TIMEOUT_MS = 5_000;
/** Of what one relay answers, at most this many entries are read, servers and fields taken. */
const MAX_ENTRIES_READ = 32;
const MAX_SERVERS_PER_RELAY = 4;
const MAX_FIELD_LENGTH = 512;

/** Where the relay at `signalingUrl` hands out TURN credentials; undefined if not a ws(s) URL. */
export function turnCredentialsUrl(signalingUrl: string): string | undefined {
	let url: URL;
	try {
		url = new URL(signalingUrl);
	} catch {
		return undefined;
	}
	if (url.protocol === 'wss:') url.protocol = 'https:';
	else if (url.protocol === 'ws:') url.protocol = 'http:';
	else return undefined;
	url.pathname = `${url.pathname.replace(/\/+$/, '')}${TURN_CREDENTIALS_PATH}`;
	url.search = '';
	url.hash = '';
	return url.href;
}

const isField = (value: unknown): value is string =>
	typeof value === 'string' && value.length > 0 && value.length <= MAX_FIELD_LENGTH;

/**
 * The TURN servers in a relay's answer: turn: and turns: URLs with a username and credential,
 * as Settings would accept them. Anything else (another scheme, a STUN server that would leak
 * addresses to a third party, oversized or missing fields) is left out.
 */
export function turnServersFromAnswer(answer: unknown): RTCIceServer[] {
	const list = (answer as { iceServers?: unknown } | null)?.iceServers;
	if (!Array.isArray(list)) return [];
	const servers: RTCIceServer[] = [];
	for (const entry of list.slice(0, MAX_ENTRIES_READ)) {
		if (servers.length >= MAX_SERVERS_PER_RELAY) break;
		if (!entry || typeof entry !== 'object') continue;
		const { urls, username, credential } = entry as Record<string, unknown>;
		if (!isField(username) || !isField(credential)) continue;
		const urlList = (Array.isArray(urls) ? urls : [urls]).slice(0, MAX_SERVERS_PER_RELAY);
		const usable = urlList.filter(
			(url): url is string =>
				isField(url) &&
				/^turns?:/i.test(url) &&
				iceServerProblem({ urls: url, username, credential }) === undefined
		);
		if (usable.length > 0) servers.push({ urls: usable, username, credential });
	}
	return servers;
}

/** One relay's TURN servers; none if it does not answer in time or answers nothing usable. */
async function askRelay(
	endpoint: string,
	fetcher: typeof fetch,
	timeoutMs: number
): Promise<RTCIceServer[]> {
	try {
		const response = await fetcher(endpoint, {
			cache: 'no-store',
			credentials: 'omit',
			referrerPolicy: 'no-referrer',
			signal: AbortSignal.timeout(timeoutMs)
		});
		if (!response.ok) return [];
		return turnServersFromAnswer(await response.json());
	} catch {
		return [];
	}
}

/**
 * The ICE servers from Settings, then the TURN servers the relays hand out (all relays asked
 * at once; one that fails adds nothing).
 */
export async function withRelayTurnServers(
	fromSettings: RTCIceServer[],
	signalingUrls: string[],
	options: { fetch?: typeof fetch; timeoutMs?: number } = {}
): Promise<RTCIceServer[]> {
	const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
	const endpoints = [
		...new Set(signalingUrls.map(turnCredentialsUrl).filter((url) => url !== undefined))
	];
	const answers = await Promise.all(
		endpoints.map((endpoint) =>
			askRelay(endpoint, fetcher, options.timeoutMs ?? TURN_FETCH_TIMEOUT_MS)
		)
	);
	return [...fromSettings, ...answers.flat()];
}
