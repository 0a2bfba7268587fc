// The one place that says how tests and benches launch Chromium: Debian's build here (or the one
// CHROMIUM_PATH names), and flags that keep it on loopback (STACK.md).
import { existsSync } from 'node:fs';

export const chromiumPath =
	process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

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
