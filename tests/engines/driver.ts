/**
 * The one interface the cross-engine journey talks to. Each adapter maps these few primitives onto
 * its protocol (Puppeteer over CDP for Chromium and WebDriver BiDi for Gecko; classic WebDriver
 * for WebKit), so every engine runs the same steps (journey.ts) and the same element finding
 * (ui.ts, which runs inside the page).
 */

export type EngineName = 'chromium' | 'gecko' | 'webkit';

export const ENGINES: EngineName[] = ['chromium', 'gecko', 'webkit'];

/** A phone-sized window (Pixel 7's CSS size); device pixel ratio 1 keeps screenshots small. */
export const PHONE = { width: 412, height: 915 };

export interface EngineDriver {
	readonly engine: EngineName;
	/** False where the driver's key presses do not reach a date field's parts (WebKitWebDriver). */
	readonly typesIntoDateFields: boolean;
	/** Navigates and waits for the page's load event. */
	goto(url: string): Promise<void>;
	reload(): Promise<void>;
	url(): Promise<string>;
	/** Runs a self-contained function in the page (no closures: it is sent as source text). */
	evaluate<T, A extends unknown[]>(fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T>;
	/** A real (trusted) click in the middle of the element `css` names. */
	click(css: string): Promise<void>;
	/** Real key presses into the element `css` names (focused first). */
	type(css: string, text: string): Promise<void>;
	/** Gives a file input a file from disk, as the phone's picker would. */
	setFiles(css: string, path: string): Promise<void>;
	/** PNG of the viewport. */
	screenshot(path: string): Promise<void>;
	close(): Promise<void>;
}

/** Why an engine could not start, said so that a developer knows what to install. */
export class EngineMissingError extends Error {}
