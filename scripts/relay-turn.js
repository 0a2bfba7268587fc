// Short-lived TURN credentials for coturn, so nobody types a TURN password: the wallet asks the
// relay it already uses (GET <relay>/turn-credentials) each time sync starts.
//
// coturn's shared-secret scheme ("TURN REST API", `use-auth-secret` + `static-auth-secret`):
// the username is `<expiry, unix seconds>:<id>` and the password is
// base64(HMAC-SHA1(secret, username)). coturn recomputes the HMAC with the same secret and
// refuses a username whose expiry has passed; it needs no database and no call to the relay.
// The id is random: it names no person and no vault (coturn logs usernames).
//
// Anyone who can reach the relay can ask, so answers are rate-limited per address (the same
// address as the connection limit counts: relay-address.js, X-Forwarded-For from trusted proxies
// only). Browsers on other sites may read the answer only if TURN_ALLOWED_ORIGINS says so.
//
// Environment (command line):
//   TURN_SECRET           coturn's static-auth-secret (unset: the endpoint answers no servers)
//   TURN_URLS             comma-separated turn:/turns: URLs handed out with the credentials
//   TURN_TTL_SECONDS      how long a credential is valid (default 43200, 12 h)
//   TURN_ALLOWED_ORIGINS  comma-separated origins whose pages may read the answer, or * (default)
import { createHmac, randomBytes } from 'node:crypto';
import { clientAddress } from './relay-address.js';
import { MessageBudget } from './relay-limits.js';

export const DEFAULT_TTL_SECONDS = 12 * 60 * 60;
export const TURN_PATH = '/turn-credentials';
const TURN_URL =
	/^(turn|turns|stun):(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/;
const MIN_SECRET_LENGTH = 16;
/** Addresses remembered for the rate limit at most; past it, old full budgets are forgotten. */
const MAX_TRACKED_ADDRESSES = 100_000;

/**
 * @typedef {object} TurnConfig
 * @property {string} secret coturn's static-auth-secret
 * @property {string[]} urls turn:/turns: URLs
 * @property {number} ttlSeconds
 * @property {string[] | '*'} [allowedOrigins] default '*'
 */

/**
 * The credential coturn accepts until `expiresAt` (unix seconds).
 * @param {{ secret: string, expiresAt: number, id?: string }} options
 */
export function turnCredential({ secret, expiresAt, id = randomBytes(9).toString('base64url') }) {
	const username = `${expiresAt}:${id}`;
	const credential = createHmac('sha1', secret).update(username).digest('base64');
	return { username, credential };
}

/**
 * TURN_* variables; undefined when TURN_SECRET is unset. Throws on a setting that cannot work.
 * @param {Record<string, string | undefined>} env
 * @returns {TurnConfig | undefined}
 */
export function turnConfigFromEnv(env) {
	const secret = env.TURN_SECRET;
	if (!secret) return undefined;
	if (secret.length < MIN_SECRET_LENGTH) {
		throw new Error(`TURN_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
	}
	const urls = (env.TURN_URLS ?? '')
		.split(',')
		.map((url) => url.trim())
		.filter(Boolean);
	if (urls.length === 0) throw new Error('TURN_SECRET needs TURN_URLS (turn: or turns: URLs)');
	for (const url of urls) {
		if (!TURN_URL.test(url)) throw new Error(`TURN_URLS: "${url}" is not a turn: or turns: URL`);
	}
	const ttlText = env.TURN_TTL_SECONDS;
	if (ttlText !== undefined && !/^[1-9]\d*$/.test(ttlText)) {
		throw new Error(`TURN_TTL_SECONDS must be a positive whole number, not "${ttlText}"`);
	}
	const origins = (env.TURN_ALLOWED_ORIGINS ?? '*').trim();
	return {
		secret,
		urls,
		ttlSeconds: ttlText ? Number(ttlText) : DEFAULT_TTL_SECONDS,
		allowedOrigins:
			origins === '*'
				? '*'
				: origins
						.split(',')
						.map((origin) => origin.trim())
						.filter(Boolean)
	};
}

/**
 * The relay's HTTP side for TURN credentials.
 * @param {{ turn?: TurnConfig, limits: import('./relay-limits.js').RelayLimits, trustedProxies: ReadonlySet<string>, now?: () => number }} options
 */
export function turnCredentialsHandler({ turn, limits, trustedProxies, now = Date.now }) {
	/** @type {Map<string, { budget: MessageBudget, at: number }>} */
	const perAddress = new Map();
	const perSecond = limits.turnCredentialsPerMinute / 60;
	/** After this long unused, a budget is full again: forgetting it changes nothing. */
	const refillMs = (limits.turnCredentialsBurst / perSecond) * 1000;

	/** @param {string} address */
	function spend(address) {
		const at = performance.now();
		let entry = perAddress.get(address);
		if (!entry) {
			if (perAddress.size >= MAX_TRACKED_ADDRESSES) {
				for (const [key, value] of perAddress) {
					if (at - value.at >= refillMs) perAddress.delete(key);
				}
				// Every tracked address asked recently: refuse newcomers rather than grow.
				if (perAddress.size >= MAX_TRACKED_ADDRESSES) return false;
			}
			entry = {
				budget: new MessageBudget(perSecond, limits.turnCredentialsBurst),
				at
			};
			perAddress.set(address, entry);
		}
		entry.at = at;
		return entry.budget.spend();
	}

	/** @param {string | undefined} origin */
	function originAllowed(origin) {
		if (!origin || !turn || turn.allowedOrigins === undefined || turn.allowedOrigins === '*') {
			return true;
		}
		return turn.allowedOrigins.includes(origin);
	}

	return {
		/** @param {import('node:http').IncomingMessage} request */
		handles(request) {
			const path = (request.url ?? '').split('?')[0];
			return path === TURN_PATH || path.endsWith(TURN_PATH);
		},
		/**
		 * @param {import('node:http').IncomingMessage} request
		 * @param {import('node:http').ServerResponse} response
		 */
		answer(request, response) {
			const origin = request.headers.origin;
			/** @type {Record<string, string>} */
			const headers = {
				'Content-Type': 'application/json',
				'Cache-Control': 'no-store',
				'X-Content-Type-Options': 'nosniff'
			};
			if (origin && originAllowed(origin)) {
				headers['Access-Control-Allow-Origin'] =
					turn?.allowedOrigins && turn.allowedOrigins !== '*' ? origin : '*';
				headers.Vary = 'Origin';
			}
			const send = (/** @type {number} */ status, /** @type {unknown} */ body) => {
				response.writeHead(status, headers);
				response.end(JSON.stringify(body));
			};
			if (request.method !== 'GET') {
				headers.Allow = 'GET';
				return send(405, { error: 'GET only' });
			}
			if (!originAllowed(origin)) return send(403, { error: 'Origin not allowed' });
			const address = clientAddress(
				request.socket.remoteAddress,
				request.headers['x-forwarded-for'],
				trustedProxies
			);
			if (!spend(address)) {
				headers['Retry-After'] = String(Math.ceil(1 / perSecond));
				return send(429, {
					error: `Too many requests: over ${limits.turnCredentialsPerMinute} a minute`
				});
			}
			// No TURN here: an empty list, so a wallet asking every relay logs no error.
			if (!turn) return send(200, { iceServers: [] });
			const expiresAt = Math.floor(now() / 1000) + turn.ttlSeconds;
			const { username, credential } = turnCredential({ secret: turn.secret, expiresAt });
			send(200, {
				iceServers: [{ urls: turn.urls, username, credential }],
				expiresAt
			});
		}
	};
}
