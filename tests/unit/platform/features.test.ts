import { describe, expect, it } from 'vitest';
import { canSync, hasBarcodeDetector, platformOf } from '$lib/platform/features';

const UA = {
	iphone:
		'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
	ipadDesktopMode:
		'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
	chromeIos:
		'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
	pixel:
		'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
	firefoxAndroid: 'Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0',
	firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0',
	epiphany:
		'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15 Epiphany/48'
};

describe('platformOf', () => {
	it('takes every iPhone browser for iOS WebKit, and a touch Mac for an iPad', () => {
		expect(platformOf(UA.iphone)).toEqual({ os: 'ios', engine: 'webkit' });
		expect(platformOf(UA.chromeIos)).toEqual({ os: 'ios', engine: 'webkit' });
		expect(platformOf(UA.ipadDesktopMode, 5)).toEqual({ os: 'ios', engine: 'webkit' });
		expect(platformOf(UA.ipadDesktopMode, 0)).toEqual({ os: 'other', engine: 'webkit' });
	});

	it('tells Chromium, Gecko and WebKit apart elsewhere', () => {
		expect(platformOf(UA.pixel)).toEqual({ os: 'android', engine: 'chromium' });
		expect(platformOf(UA.firefoxAndroid)).toEqual({ os: 'android', engine: 'gecko' });
		expect(platformOf(UA.firefoxLinux)).toEqual({ os: 'other', engine: 'gecko' });
		expect(platformOf(UA.epiphany)).toEqual({ os: 'other', engine: 'webkit' });
		expect(platformOf('')).toEqual({ os: 'other', engine: 'other' });
	});
});

describe('feature checks', () => {
	it('answer from the scope given, without throwing', () => {
		expect(canSync({})).toBe(false);
		expect(canSync({ RTCPeerConnection: class {} })).toBe(true);
		expect(canSync({ RTCPeerConnection: undefined })).toBe(false);
		expect(hasBarcodeDetector({})).toBe(false);
		expect(hasBarcodeDetector({ BarcodeDetector: class {} })).toBe(true);
	});
});
