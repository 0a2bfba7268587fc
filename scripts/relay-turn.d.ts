import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayLimits } from './relay-limits.js';

export interface TurnConfig {
	/** coturn's static-auth-secret. */
	secret: string;
	/** turn:/turns: URLs handed out with each credential. */
	urls: string[];
	ttlSeconds: number;
	/** Origins whose pages may read the answer; default '*'. */
	allowedOrigins?: string[] | '*';
}

export const DEFAULT_TTL_SECONDS: number;
export const TURN_PATH: string;
/** coturn's REST scheme: username `<expiresAt>:<id>`, credential base64(HMAC-SHA1(secret, username)). */
export function turnCredential(options: { secret: string; expiresAt: number; id?: string }): {
	username: string;
	credential: string;
};
/** TURN_SECRET, TURN_URLS, TURN_TTL_SECONDS, TURN_ALLOWED_ORIGINS; undefined without TURN_SECRET. */
export function turnConfigFromEnv(env: Record<string, string | undefined>): TurnConfig | undefined;
export function turnCredentialsHandler(options: {
	turn?: TurnConfig;
	limits: RelayLimits;
	trustedProxies: ReadonlySet<string>;
	now?: () => number;
}): {
	handles(request: IncomingMessage): boolean;
	answer(request: IncomingMessage, response: ServerResponse): void;
};
