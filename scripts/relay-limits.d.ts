export interface RelayLimits {
	maxMessageBytes: number;
	maxQueuedBytes: number;
	maxMessagesPerSecond: number;
	maxMessageBurst: number;
	maxTopicsPerConnection: number;
	maxTopicLength: number;
	maxConnectionsPerAddress: number;
	heartbeatMs: number;
	handshakeTimeoutMs: number;
	closeTimeoutMs: number;
	turnCredentialsPerMinute: number;
	turnCredentialsBurst: number;
}

export const DEFAULT_LIMITS: Readonly<RelayLimits>;
/** The RELAY_* environment variable of each limit. */
export const LIMIT_VARIABLES: Readonly<Record<keyof RelayLimits, string>>;
/** The defaults overridden by the RELAY_* variables set; throws on a value that is not a positive whole number. */
export function limitsFromEnv(env: Record<string, string | undefined>): RelayLimits;

export class MessageBudget {
	constructor(perSecond: number, burst: number);
	/** Spends one message; false when the budget is gone. */
	spend(): boolean;
}
