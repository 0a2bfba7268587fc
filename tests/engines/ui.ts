/**
 * Finding things the way a person reads the page (a button's words, a field's label, a heading),
 * with one script that runs inside every engine, and waiting for conditions: every check polls
 * until it holds or its bound passes, never sleeps for a fixed time.
 */

import type { EngineDriver } from './driver';

export type Role =
	'button' | 'link' | 'heading' | 'field' | 'radio' | 'checkbox' | 'group' | 'text';

/** A text matches exactly, or a pattern (a RegExp's source and flags, sent into the page). */
export type Name = string | RegExp;

export interface Query {
	role: Role;
	name: Name;
	level?: number;
	/** Look only inside the element another query found (its marker). */
	within?: string;
}

interface PageQuery {
	role: Role;
	name: string | { source: string; flags: string };
	level?: number;
	within?: string;
}

/**
 * Runs in the page: finds the first visible element that matches, marks it with
 * data-engine-target=<marker> so the driver can act on it by CSS, and says how many matched.
 * Self-contained on purpose (it is sent as source text).
 */
function locateInPage(query: PageQuery, marker: string): number {
	const norm = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();
	const visible = (element: Element) => {
		if (element.getClientRects().length === 0) return false;
		return getComputedStyle(element).visibility !== 'hidden';
	};
	// Text a person sees and a screen reader reads: skips aria-hidden and hidden parts.
	const textOf = (node: Node): string => {
		if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
		if (!(node instanceof Element)) return '';
		if (node.getAttribute('aria-hidden') === 'true' || node.hasAttribute('hidden')) return '';
		if (node instanceof HTMLElement && getComputedStyle(node).display === 'none') return '';
		return Array.from(node.childNodes, textOf).join(' ');
	};
	const nameOf = (element: Element): string => {
		const label = element.getAttribute('aria-label');
		if (label) return norm(label);
		const labelledBy = element.getAttribute('aria-labelledby');
		if (labelledBy) {
			return norm(
				labelledBy
					.split(/\s+/)
					.map((id) => {
						const part = document.getElementById(id);
						return part ? textOf(part) : '';
					})
					.join(' ')
			);
		}
		const labels = (element as HTMLInputElement).labels;
		if (labels && labels.length > 0) return norm(Array.from(labels, textOf).join(' '));
		if (element instanceof HTMLFieldSetElement) {
			const legend = element.querySelector(':scope > legend');
			return norm(legend ? textOf(legend) : '');
		}
		return norm(textOf(element));
	};
	const selectors: Record<string, string> = {
		button: 'button, [role="button"], input[type="submit"], input[type="button"]',
		link: 'a[href], [role="link"]',
		heading: query.level ? `h${query.level}` : 'h1, h2, h3, h4, h5, h6, [role="heading"]',
		field: 'input:not([type="radio"]):not([type="checkbox"]):not([type="file"]), select, textarea',
		radio: 'input[type="radio"]',
		checkbox: 'input[type="checkbox"]',
		group: 'fieldset, [role="group"]',
		text: 'body *'
	};
	const matches = (text: string) =>
		typeof query.name === 'string'
			? query.role === 'text'
				? text.includes(query.name)
				: text === query.name
			: new RegExp(query.name.source, query.name.flags).test(text);
	const scope = query.within
		? document.querySelector(`[data-engine-target="${query.within}"]`)
		: document;
	if (!scope) return 0;
	let found = Array.from(scope.querySelectorAll(selectors[query.role])).filter((element) => {
		if (!visible(element)) return false;
		if (query.role === 'text') return matches(norm(textOf(element)));
		return matches(nameOf(element));
	});
	// For text, the innermost elements that hold it (not every ancestor).
	if (query.role === 'text') {
		found = found.filter(
			(element) => !found.some((other) => other !== element && element.contains(other))
		);
	}
	for (const old of document.querySelectorAll(`[data-engine-target="${marker}"]`)) {
		old.removeAttribute('data-engine-target');
	}
	found[0]?.setAttribute('data-engine-target', marker);
	return found.length;
}

/**
 * Sets a value the way a date picker or a select does, then says so with input and change. Not
 * focused first: WebKit's date field, focused, keeps its own (empty) day, month and year parts
 * and writes them back on blur, which no person's use of the picker does.
 */
function setValueInPage(css: string, value: string): void {
	const element = document.querySelector(css) as HTMLInputElement | HTMLSelectElement;
	element.value = value;
	element.dispatchEvent(new Event('input', { bubbles: true }));
	element.dispatchEvent(new Event('change', { bubbles: true }));
}

/**
 * Bounds, not waits: each check returns as soon as its condition holds. With four times more
 * runnable work than cores (CI under load) a cold start of the app took over 10 s and a vault
 * creation (Argon2id, 64 MiB) over 15 s in Chromium; Gecko and WebKit are slower still.
 */
export const BOUND_MS = 60_000;
const POLL_MS = 150;

let nextMarker = 0;

export const button = (name: Name): Query => ({ role: 'button', name });
export const link = (name: Name): Query => ({ role: 'link', name });
export const heading = (name: Name, level?: number): Query => ({ role: 'heading', name, level });
export const field = (name: Name): Query => ({ role: 'field', name });
export const radio = (name: Name): Query => ({ role: 'radio', name });
export const checkbox = (name: Name): Query => ({ role: 'checkbox', name });
export const group = (name: Name): Query => ({ role: 'group', name });
export const text = (name: Name): Query => ({ role: 'text', name });

function describe(query: Query): string {
	return `${query.role} ${query.name instanceof RegExp ? query.name : JSON.stringify(query.name)}`;
}

function toPage(query: Query): PageQuery {
	const { name } = query;
	return {
		...query,
		name: name instanceof RegExp ? { source: name.source, flags: name.flags } : name
	};
}

export class Ui {
	constructor(readonly driver: EngineDriver) {}

	/** Polls `check` (run in this process, may talk to the page) until it returns a truthy value. */
	async until<T>(what: string, check: () => Promise<T>, boundMs = BOUND_MS): Promise<T> {
		const deadline = Date.now() + boundMs;
		let lastError: unknown;
		for (;;) {
			try {
				const value = await check();
				if (value) return value;
				lastError = undefined;
			} catch (error) {
				// A navigation in progress destroys the page's context: try again on the next page.
				lastError = error;
			}
			if (Date.now() > deadline) {
				const url = await this.driver.url().catch(() => '?');
				const why = lastError ? ` (last error: ${String(lastError).slice(0, 300)})` : '';
				throw new Error(
					`${this.driver.engine}: no ${what} within ${boundMs / 1000} s at ${url}${why}`
				);
			}
			await new Promise((resolve) => setTimeout(resolve, POLL_MS));
		}
	}

	/** Waits for a visible match and returns a CSS selector for it. */
	async find(query: Query, boundMs = BOUND_MS): Promise<string> {
		const marker = String(++nextMarker);
		const pageQuery = toPage(query);
		await this.until(
			describe(query),
			() => this.driver.evaluate(locateInPage, pageQuery, marker).then((count) => count > 0),
			boundMs
		);
		return `[data-engine-target="${marker}"]`;
	}

	async count(query: Query): Promise<number> {
		return this.driver.evaluate(locateInPage, toPage(query), String(++nextMarker));
	}

	async see(query: Query, boundMs = BOUND_MS) {
		await this.find(query, boundMs);
	}

	/** Waits until nothing visible matches. */
	async gone(query: Query, boundMs = BOUND_MS) {
		await this.until(`no ${describe(query)}`, async () => (await this.count(query)) === 0, boundMs);
	}

	async click(query: Query, boundMs = BOUND_MS) {
		await this.clickCss(await this.find(query, boundMs));
	}

	/**
	 * Scrolls the element to the middle first: engines scroll a target only just into view, where
	 * the fixed bottom navigation covers it (WebKit refuses the click, others would hit the bar).
	 */
	async clickCss(css: string) {
		await this.driver.evaluate(
			(css: string) => document.querySelector(css)?.scrollIntoView({ block: 'center' }),
			css
		);
		await this.driver.click(css);
	}

	/** Clears a text field and types into it, key by key. */
	async fill(query: Query, value: string) {
		const css = await this.find(query);
		await this.driver.evaluate(setValueInPage, css, '');
		await this.driver.type(css, value);
		await this.until(`${describe(query)} holding ${JSON.stringify(value)}`, () =>
			this.driver.evaluate(
				(css: string, value: string) =>
					(document.querySelector(css) as HTMLInputElement | null)?.value === value,
				css,
				value
			)
		);
	}

	/** Types, then leaves the field (what settles a country's name). */
	async fillAndLeave(query: Query, value: string) {
		await this.fill(query, value);
		const css = await this.find(query);
		await this.driver.evaluate((css: string) => {
			const element = document.querySelector(css) as HTMLInputElement;
			element.dispatchEvent(new Event('change', { bubbles: true }));
			element.blur();
		}, css);
	}

	/**
	 * A date (yyyy-mm-dd) typed key by key into the field's month, day and year parts (the browsers
	 * run in en-US), as a person with a keyboard does; where the driver cannot type into a date
	 * field, set as the native picker does.
	 */
	async date(query: Query, iso: string) {
		if (!this.driver.typesIntoDateFields) return this.choose(query, iso);
		const css = await this.find(query);
		const [year, month, day] = iso.split('-');
		await this.driver.type(css, `${month}${day}${year}`);
		await this.expectValueAt(css, iso, describe(query));
	}

	/** Selects (and dates where typing is impossible): set as the native picker does. */
	async choose(query: Query, value: string) {
		const css = await this.find(query);
		await this.driver.evaluate(setValueInPage, css, value);
		// A select that re-renders the page (the language) is replaced: the caller checks the page.
		const stillThere = await this.driver.evaluate(
			(css: string) => !!document.querySelector(css),
			css
		);
		if (stillThere) await this.expectValueAt(css, value, describe(query));
	}

	async check(query: Query) {
		const css = await this.find(query);
		await this.clickCss(css);
		await this.until(`${describe(query)} checked`, () =>
			this.driver.evaluate(
				(css: string) => (document.querySelector(css) as HTMLInputElement | null)?.checked === true,
				css
			)
		);
	}

	async valueOf(query: Query): Promise<string> {
		return this.valueAt(await this.find(query));
	}

	valueAt(css: string): Promise<string> {
		return this.driver.evaluate(
			(css: string) => (document.querySelector(css) as HTMLInputElement | null)?.value ?? '',
			css
		);
	}

	async expectValue(query: Query, value: string) {
		await this.expectValueAt(await this.find(query), value, describe(query));
	}

	/** The element found before, even once its label has changed (a language switch). */
	async expectValueAt(css: string, value: string, what: string) {
		let last = '';
		await this.until(`${what} with value ${JSON.stringify(value)}`, async () => {
			last = await this.valueAt(css);
			return last === value;
		}).catch((error: Error) => {
			throw new Error(`${error.message}; it holds ${JSON.stringify(last)}`);
		});
	}

	async expectUrl(pattern: RegExp, boundMs = BOUND_MS) {
		await this.until(
			`address matching ${pattern}`,
			async () => pattern.test(await this.driver.url()),
			boundMs
		);
	}

	/** A file from disk into the file input inside `within` (the gallery picker, not the camera). */
	async addPhoto(within: Query, path: string) {
		const scope = await this.find(within);
		const thumbnails = async () =>
			this.driver.evaluate(
				(css: string) =>
					Array.from(document.querySelectorAll(`${css} button`)).filter((b) =>
						/^(View|Voir) /.test(b.getAttribute('aria-label') ?? b.textContent?.trim() ?? '')
					).length,
				scope
			);
		const before = await thumbnails();
		await this.driver.setFiles(`${scope} input[type="file"]:not([capture])`, path);
		// Capture downscales and re-encodes the photo before its thumbnail shows.
		await this.until(
			`a new thumbnail in ${describe(within)}`,
			async () => (await thumbnails()) > before
		);
	}
}
