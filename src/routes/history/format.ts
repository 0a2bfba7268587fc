import { m } from '$lib/paraglide/messages.js';
import type { ConsentOutcome } from '$lib/vault/consent-history';

export const OUTCOME_NAMES: Record<ConsentOutcome, () => string> = {
	authorized: m.history_authorized,
	cancelled: m.history_cancelled,
	failed: m.history_failed
};

export function formatWhen(at: number, locale: string): string {
	return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}
