// Same flags as the browser tests (playwright.config.ts), kept here for plain-Node scripts.
export const chromiumArgs = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	'--disable-dev-shm-usage',
	// Two browsers on one machine must see each other's loopback ICE candidates, not mDNS names.
	'--disable-features=WebRtcHideLocalIpsWithMdns',
	'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'
];
