// The few parts of selenium-webdriver (no bundled types) that webdriver-driver.ts uses.
declare module 'selenium-webdriver' {
	export interface WebElement {
		click(): Promise<void>;
		sendKeys(...keys: string[]): Promise<void>;
	}
	export interface WebDriver {
		get(url: string): Promise<void>;
		getCurrentUrl(): Promise<string>;
		navigate(): { refresh(): Promise<void> };
		findElement(locator: unknown): Promise<WebElement>;
		executeScript<T>(script: string, ...args: unknown[]): Promise<T>;
		takeScreenshot(): Promise<string>;
		manage(): { window(): { setRect(rect: { width: number; height: number }): Promise<unknown> } };
		quit(): Promise<void>;
	}
	export class Builder {
		usingServer(url: string): Builder;
		withCapabilities(capabilities: Record<string, unknown>): Builder;
		build(): Promise<WebDriver>;
	}
	export const By: { css(selector: string): unknown };
}
