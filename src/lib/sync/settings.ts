/**
 * Where sync connects: signaling relays and ICE servers (STUN, TURN with credentials). Kept per
 * device in localStorage, like the other device settings, and never synced: a phone on a carrier
 * network may need a TURN server that a laptop at home does not.
 *
 * The default relay is the one `npm start` runs, ws://localhost:4444, when the wallet itself is
 * served from this machine (localhost, 127.0.0.1, [::1]); anywhere else it is wss://<host>/relay,
 * the same host behind a TLS proxy (README, "Sync and the relay"). No ICE server by default:
 * devices on one network connect directly, and we never fall back on a public STUN server.
 * Pure module (no Svelte, no Yjs) so the settings page can use it without loading sync.
 */

export interface IceServerSetting {
	/** One stun:, turn: or turns: URL. */
	urls: string;
	username?: string;
	credential?: string;
}

export interface SyncSettings {
	signalingUrls: string[];
	iceServers: IceServerSetting[];
}

export type UrlProblem = 'empty' | 'invalid' | 'scheme';
export type IceProblem = UrlProblem | 'credentials';

const SIGNALING_KEY = 'papiers.sync.signaling';
const ICE_KEY = 'papiers.sync.ice';
const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]', '::1'];
export const LOCAL_RELAY_URL = 'ws://localhost:4444';

export function defaultSignalingUrl(location: Pick<Location, 'hostname' | 'host'>): string {
	return LOCAL_HOSTS.includes(location.hostname) ? LOCAL_RELAY_URL : `wss://${location.host}/relay`;
}

export function defaultSyncSettings(location: Pick<Location, 'hostname' | 'host'>): SyncSettings {
	return { signalingUrls: [defaultSignalingUrl(location)], iceServers: [] };
}

/** undefined when `text` is a usable ws: or wss: URL. */
export function signalingUrlProblem(text: string): UrlProblem | undefined {
	const trimmed = text.trim();
	if (!trimmed) return 'empty';
	let url: URL;
	try {
		url = new URL(trimmed);
	} catch {
		return 'invalid';
	}
	if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return 'scheme';
	if (!url.hostname || url.username || url.password || url.hash) return 'invalid';
	return undefined;
}

const ICE_URL =
	/^(stun|turn|turns):(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/;

/** undefined when the server is usable: a stun:, turn: or turns: URL; TURN with credentials. */
export function iceServerProblem(server: IceServerSetting): IceProblem | undefined {
	const url = server.urls.trim();
	if (!url) return 'empty';
	const scheme = /^([a-z]+):/i.exec(url)?.[1]?.toLowerCase();
	if (!scheme) return 'invalid';
	if (!['stun', 'turn', 'turns'].includes(scheme)) return 'scheme';
	const match = ICE_URL.exec(url);
	if (!match) return 'invalid';
	const port = match[3] ? Number(match[3].slice(1)) : 1;
	if (port < 1 || port > 65535) return 'invalid';
	if (scheme === 'stun' && match[4]) return 'invalid';
	if (scheme !== 'stun' && (!server.username?.trim() || !server.credential)) return 'credentials';
	return undefined;
}

function readJson(storage: Storage | undefined, key: string): unknown {
	try {
		const text = storage?.getItem(key);
		return text ? JSON.parse(text) : undefined;
	} catch {
		return undefined;
	}
}

/** The saved settings, or the defaults for anything missing or no longer valid. */
export function readSyncSettings(
	storage: Storage | undefined = globalThis.localStorage,
	location: Pick<Location, 'hostname' | 'host'> = globalThis.location
): SyncSettings {
	const defaults = defaultSyncSettings(location);
	const signaling = readJson(storage, SIGNALING_KEY);
	const ice = readJson(storage, ICE_KEY);
	const signalingUrls =
		Array.isArray(signaling) &&
		signaling.length > 0 &&
		signaling.every((url) => typeof url === 'string' && !signalingUrlProblem(url))
			? (signaling as string[])
			: defaults.signalingUrls;
	const iceServers =
		Array.isArray(ice) &&
		ice.every((server) => server && typeof server.urls === 'string' && !iceServerProblem(server))
			? (ice as IceServerSetting[])
			: defaults.iceServers;
	return { signalingUrls, iceServers };
}

/** Stores valid settings; throws if any entry has a problem (the form shows them first). */
export function saveSyncSettings(
	settings: SyncSettings,
	storage: Storage = globalThis.localStorage
): SyncSettings {
	const signalingUrls = settings.signalingUrls.map((url) => url.trim()).filter(Boolean);
	const iceServers = settings.iceServers.map((server) => ({
		urls: server.urls.trim(),
		...(server.username?.trim() ? { username: server.username.trim() } : {}),
		...(server.credential ? { credential: server.credential } : {})
	}));
	if (signalingUrls.length === 0 || signalingUrls.some(signalingUrlProblem)) {
		throw new Error('Invalid signaling URL');
	}
	if (iceServers.some(iceServerProblem)) throw new Error('Invalid ICE server');
	storage.setItem(SIGNALING_KEY, JSON.stringify(signalingUrls));
	storage.setItem(ICE_KEY, JSON.stringify(iceServers));
	return { signalingUrls, iceServers };
}

export function resetSyncSettings(storage: Storage = globalThis.localStorage): void {
	storage.removeItem(SIGNALING_KEY);
	storage.removeItem(ICE_KEY);
}

/** As RTCPeerConnection takes them. */
export function toIceServers(servers: IceServerSetting[]): RTCIceServer[] {
	return servers.map(({ urls, username, credential }) => ({
		urls,
		...(username ? { username } : {}),
		...(credential ? { credential } : {})
	}));
}
