/**
 * The example service (PROTOCOL.md 6): a small sign-up site that asks Papiers for personal details,
 * an ID document with a selfie, an address with a proof of address, phone and email, then shows its
 * sign-up form filled in from the delivery.
 *
 *   node example/server.js            http://localhost:5174, wallet at http://localhost:5173
 *
 * Environment: PORT (5174; 0 picks a free port), HOST (localhost), WALLET_URL, PUBLIC_URL (what the
 * wallet posts back to; defaults to http://HOST:PORT), BOT_ID, DATA_DIR (example/data: the service's
 * RSA key), KIT_DIR (example/dist: the service kit built from src/lib/service at start).
 */

import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildKit } from './build-kit.js';
import { filledFormPage, messagePage, signUpPage } from './pages.js';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const config = {
	port: Number(process.env.PORT ?? 5174),
	host: process.env.HOST ?? 'localhost',
	walletUrl: process.env.WALLET_URL ?? 'http://localhost:5173',
	publicUrl: process.env.PUBLIC_URL,
	botId: process.env.BOT_ID ?? '1000000001',
	dataDir: process.env.DATA_DIR ?? here('./data'),
	kitDir: process.env.KIT_DIR ?? here('./dist')
};

/** What this service asks for, in Telegram's compact scope form. */
const SCOPE = {
	v: 1,
	d: [{ _: 'pd' }, { _: 'idd', s: 1 }, 'ad', { _: 'add' }, 'pn', 'em']
};

/**
 * The browser session a sign-up belongs to (the OAuth `state` defence against login CSRF): each
 * nonce is issued to the session that opened the sign-up page, and a delivery is only accepted
 * from that same browser. Otherwise an attacker could start a sign-up, send the link to a victim,
 * and the victim's papers would land in the attacker's session.
 *
 * The wallet returns with a top-level form POST from another site: a SameSite=Lax (or Strict)
 * cookie stays behind on such a request, so the cookie is SameSite=None, which browsers accept
 * only with Secure. Serve over HTTPS; http://localhost and http://127.0.0.1 count as secure
 * contexts, so Secure cookies work there too (checked in Chromium by tests/e2e/service-session.spec.ts).
 * HttpOnly: no script on the page needs it.
 */
const SESSION_COOKIE = 'example_session';
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

function sessionOf(request) {
	for (const part of (request.headers.cookie ?? '').split(';')) {
		const [name, value] = part.trim().split('=');
		if (name === SESSION_COOKIE && SESSION_ID.test(value ?? '')) return value;
	}
	return undefined;
}

function sessionCookie(id) {
	return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; Secure; SameSite=None`;
}

/** Deliveries carry scans; a generous cap still stops a runaway upload. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The service's key pair, made on first start and kept in DATA_DIR. */
function loadOrCreateKey(dataDir) {
	const privatePath = `${dataDir}/service-key.pem`;
	const publicPath = `${dataDir}/service-key.pub.pem`;
	if (!existsSync(privatePath)) {
		mkdirSync(dataDir, { recursive: true });
		const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
			mode: 0o600
		});
		writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }));
		console.log(`Made a new service key in ${dataDir}`);
	}
	const privateKeyPem = readFileSync(privatePath, 'utf8');
	const publicKey = createPublicKey(privateKeyPem);
	return {
		privateKeyPem,
		publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
		spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }))
	};
}

function readBody(request) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		request.on('data', (chunk) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				reject(Object.assign(new Error('Body too large'), { status: 413 }));
				request.destroy();
				return;
			}
			chunks.push(chunk);
		});
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

function send(response, status, html, headers = {}) {
	response.writeHead(status, {
		...headers,
		'content-type': 'text/html; charset=utf-8',
		'cache-control': 'no-store',
		'content-security-policy':
			"default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self' http: https:",
		'referrer-policy': 'no-referrer',
		'x-content-type-options': 'nosniff'
	});
	response.end(html);
}

const CALLBACK_MESSAGES = {
	cancel: [
		'Sign-up cancelled',
		'You cancelled in Papiers. Nothing was shared. You can try again whenever you like.'
	],
	error: [
		'Papiers could not process our request',
		'Papiers reported a problem with our sign-up link.'
	]
};

export async function startExampleService(options = {}) {
	const settings = { ...config, ...options };
	const kitPath = await buildKit(settings.kitDir);
	const kit = await import(pathToFileURL(kitPath).href);
	const key = loadOrCreateKey(settings.dataDir);
	const privateKey = await kit.importServicePrivateKey(key.privateKeyPem);
	const nonces = kit.createNonceStore();
	const fingerprint = kit.keyFingerprint(key.spki);
	let publicUrl = settings.publicUrl;

	/** Each refusal's page: what happened, in words, and the code for the logs. */
	const REFUSALS = {
		NONCE_OTHER_SESSION: [
			'This sign-up was not started in this browser',
			'The link you followed belongs to a sign-up someone else started. Someone may have sent it to you to receive your papers. Nothing was kept. To sign up, start from our sign-up page.'
		],
		SESSION_MISSING: [
			'We could not find your sign-up',
			'Your browser did not send back the sign-up it started here (cookies may be blocked, or the sign-up was started elsewhere). Nothing was kept. Start again from our sign-up page.'
		],
		NONCE_REUSED: [
			'This sign-up link is no longer valid',
			'Each sign-up link works once and for a limited time. Start again from the sign-up page.'
		]
	};

	function refuse(response, code) {
		const [title, message] = REFUSALS[code] ?? [
			'We could not read what Papiers sent',
			'The data did not pass our checks, so we discarded it.'
		];
		return send(response, 400, messagePage({ title, message, isError: true, status: code }));
	}

	async function handleCallback(request, fields, response) {
		const session = sessionOf(request);
		if (!session && fields.get('tg_passport') === 'success')
			return refuse(response, 'SESSION_MISSING');
		let outcome;
		try {
			outcome = await kit.decryptDelivery({
				privateKey,
				fields,
				// Accepted once, and only from the browser session it was issued to.
				consumeNonce: (nonce) => (session ? nonces.redeem(nonce, session) : 'unknown')
			});
		} catch (error) {
			if (!(error instanceof kit.DeliveryError)) throw error;
			return refuse(response, error.code);
		}
		if (outcome.status === 'success') return send(response, 200, filledFormPage(outcome.passport));
		const [title, message] = CALLBACK_MESSAGES[outcome.status];
		const status = outcome.status === 'error' ? `Error code: ${outcome.code}` : undefined;
		return send(
			response,
			200,
			messagePage({ title, message, isError: outcome.status === 'error', status })
		);
	}

	const server = createServer(async (request, response) => {
		try {
			const url = new URL(request.url ?? '/', 'http://service.invalid');
			if (request.method === 'GET' && url.pathname === '/') {
				let session = sessionOf(request);
				const headers = {};
				if (!session) {
					session = randomBytes(32).toString('base64url');
					headers['set-cookie'] = sessionCookie(session);
				}
				const consentUrl = kit.buildConsentUrl({
					walletUrl: settings.walletUrl,
					botId: settings.botId,
					scope: SCOPE,
					publicKey: key.publicKeyPem,
					nonce: nonces.issue(session),
					callbackUrl: `${publicUrl}/callback`,
					responseMode: 'form_post',
					serviceName: 'Example Service'
				});
				return send(
					response,
					200,
					signUpPage({ consentUrl, fingerprint, walletUrl: settings.walletUrl }),
					headers
				);
			}
			if (url.pathname === '/callback' && request.method === 'POST') {
				return await handleCallback(
					request,
					new URLSearchParams(await readBody(request)),
					response
				);
			}
			if (url.pathname === '/callback' && request.method === 'GET') {
				// Cancel and error come back as navigations with the outcome in the query.
				return await handleCallback(request, url.searchParams, response);
			}
			if (url.pathname === '/register' && request.method === 'POST') {
				const form = new URLSearchParams(await readBody(request));
				return send(
					response,
					200,
					messagePage({
						title: 'Account created',
						message: `Welcome, ${form.get('first_name') || 'new member'}. (This example keeps nothing: no account is stored.)`
					})
				);
			}
			return send(
				response,
				404,
				messagePage({ title: 'Not found', message: 'No such page.', isError: true })
			);
		} catch (error) {
			const status = error?.status ?? 500;
			if (status === 500) console.error(error);
			if (!response.headersSent) {
				send(
					response,
					status,
					messagePage({
						title: 'Something went wrong',
						message: 'Please try again.',
						isError: true
					})
				);
			}
		}
	});

	await new Promise((resolve) => server.listen(settings.port, settings.host, resolve));
	const { port } = server.address();
	const hostForUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
	publicUrl ??= `http://${hostForUrl}:${port}`;
	return {
		server,
		url: publicUrl,
		port,
		close: () => new Promise((resolve) => server.close(resolve))
	};
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const { url } = await startExampleService();
	console.log(`Example service on ${url} (wallet: ${config.walletUrl})`);
}
