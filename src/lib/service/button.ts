/**
 * "Sign up with Papiers" for a service's web page: a plain link to the consent URL, no framework.
 * Browser only (it needs a Document); everything else in the kit also runs in Node.
 */

import { buildConsentUrl, type BuildConsentUrlOptions } from './consent-url';

export interface SignUpButtonOptions extends BuildConsentUrlOptions {
	/** Defaults to the global document. */
	document?: Document;
	label?: string;
}

export const SIGN_UP_BUTTON_CLASS = 'papiers-sign-up';

/** Returns an <a> styled as a button; the page decides where to put it. */
export function createSignUpButton(options: SignUpButtonOptions): HTMLAnchorElement {
	const doc = options.document ?? globalThis.document;
	if (!doc) throw new Error('createSignUpButton needs a Document (run it in the browser)');
	const link = doc.createElement('a');
	link.href = buildConsentUrl(options);
	link.textContent = options.label ?? 'Sign up with Papiers';
	link.className = SIGN_UP_BUTTON_CLASS;
	// Top-level navigation, same tab: the wallet posts back to the callback as a whole page.
	link.target = '_top';
	link.rel = 'noopener';
	const style = link.style;
	style.display = 'inline-block';
	style.padding = '0.7em 1.2em';
	style.borderRadius = '0.5em';
	style.background = '#1f4e8c';
	style.color = '#ffffff';
	style.font = '600 1rem system-ui, sans-serif';
	style.textDecoration = 'none';
	return link;
}
