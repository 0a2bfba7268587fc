/**
 * Sends an authorized response to the service (PROTOCOL.md 4.3) by navigating the top-level page:
 * a form POST (default) or a URL fragment. The callback is checked once more right before, since
 * this is the one place the wallet hands data to another origin.
 */
import { isAllowedCallbackUrl } from '$lib/passport/callback-url';
import { encodeFormPost, encodeFragmentUrl, type DeliveryContent } from '$lib/passport/delivery';
import type { ResponseMode } from '$lib/passport/request';

export async function deliverResponse(options: {
	callbackUrl: string;
	responseMode: ResponseMode;
	content: DeliveryContent;
	/** The service's key (DER SPKI): a fragment's payload is sealed to it, since URLs are kept. */
	publicKey: Uint8Array;
	/**
	 * What must be done before the page leaves (the consent history's writes): the response is
	 * encoded meanwhile, and nothing navigates unless it resolves.
	 */
	ready?: Promise<unknown>;
}): Promise<void> {
	const { callbackUrl, responseMode, content, publicKey } = options;
	const ready = options.ready ?? Promise.resolve();
	// Awaited below unless encoding throws first; the caller hears of a failed write then anyway.
	ready.catch(() => undefined);
	if (!isAllowedCallbackUrl(callbackUrl)) throw new Error('Refusing an unsafe callback URL');
	if (responseMode === 'fragment') {
		// Throws FragmentTooLargeError before navigating anywhere.
		const url = await encodeFragmentUrl({ ...content, callbackUrl, publicKey });
		await ready;
		location.assign(url);
		return;
	}
	const form = document.createElement('form');
	form.method = 'post';
	form.action = callbackUrl;
	form.enctype = 'application/x-www-form-urlencoded';
	form.hidden = true;
	for (const [name, value] of encodeFormPost(content)) {
		const field = document.createElement('textarea');
		field.name = name;
		field.value = value;
		form.append(field);
	}
	await ready;
	document.body.append(form);
	form.submit();
}

/** Navigates back to the service with a status only (cancel or error). */
export function returnToService(url: string): void {
	if (!isAllowedCallbackUrl(url)) throw new Error('Refusing an unsafe callback URL');
	location.assign(url);
}
