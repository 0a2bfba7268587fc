import type { ClientInit } from '@sveltejs/kit';

/**
 * A link from anywhere may carry a fragment with a broken %-escape; SvelteKit's router decodes the
 * fragment as it starts and would throw. The wallet reads nothing from such a fragment (consent
 * requests travel in the query, pairing secrets are base64url), so it is dropped first.
 */
export const init: ClientInit = () => {
	try {
		decodeURIComponent(location.hash);
	} catch {
		history.replaceState(history.state, '', location.pathname + location.search);
	}
};
