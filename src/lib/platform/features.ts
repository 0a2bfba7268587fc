/**
 * What this browser can do, asked in one place so that a missing API becomes a sentence on the
 * page, never a crash. Every check reads the global at call time (tests stub APIs away before the
 * app loads) and none throws.
 */

/** Sync needs WebRTC; some builds (Debian's WebKitGTK) and privacy settings leave it out. */
export function canSync(scope: object = globalThis): boolean {
	return typeof (scope as { RTCPeerConnection?: unknown }).RTCPeerConnection === 'function';
}

/** The browser's own QR reader; without it QrScanner decodes frames with jsQR. */
export function hasBarcodeDetector(scope: object = globalThis): boolean {
	return typeof (scope as { BarcodeDetector?: unknown }).BarcodeDetector === 'function';
}

export type OperatingSystem = 'ios' | 'android' | 'other';
export type Engine = 'webkit' | 'gecko' | 'chromium' | 'other';

export interface Platform {
	os: OperatingSystem;
	engine: Engine;
}

/**
 * The device and engine from the user agent. iPadOS says "Macintosh" like a Mac, so a Mac with
 * a touch screen is taken for an iPad. Every browser on iOS runs WebKit, whatever its name.
 */
export function platformOf(userAgent: string, maxTouchPoints = 0): Platform {
	const ios =
		/\b(iPhone|iPad|iPod)\b/.test(userAgent) ||
		(/\bMacintosh\b/.test(userAgent) && maxTouchPoints > 1);
	if (ios) return { os: 'ios', engine: 'webkit' };
	const os: OperatingSystem = /\bAndroid\b/.test(userAgent) ? 'android' : 'other';
	if (/\bFirefox\//.test(userAgent)) return { os, engine: 'gecko' };
	if (/\b(Chrome|Chromium|CriOS|Edg)\//.test(userAgent)) return { os, engine: 'chromium' };
	if (/\bAppleWebKit\//.test(userAgent)) return { os, engine: 'webkit' };
	return { os, engine: 'other' };
}

export function currentPlatform(): Platform {
	if (typeof navigator === 'undefined') return { os: 'other', engine: 'other' };
	return platformOf(navigator.userAgent, navigator.maxTouchPoints ?? 0);
}

/** Opened from the home screen or as an installed app, not in a browser tab. */
export function isStandalone(): boolean {
	if (typeof window === 'undefined') return false;
	const media = window.matchMedia?.('(display-mode: standalone)').matches ?? false;
	return media || (navigator as { standalone?: boolean }).standalone === true;
}
