/**
 * The credentials secret is encrypted to the service's key with RSA-OAEP (RFC 8017 §7.1),
 * SHA-1 and MGF1-SHA-1, no label (PROTOCOL.md 4.1 step 6) — Telegram's choice, kept for
 * compatibility with every existing service library. WebCrypto does it in browsers and Node.
 */

export async function rsaOaepEncrypt(options: {
	spki: Uint8Array;
	data: Uint8Array;
}): Promise<Uint8Array> {
	const key = await globalThis.crypto.subtle.importKey(
		'spki',
		options.spki as BufferSource,
		{ name: 'RSA-OAEP', hash: 'SHA-1' },
		false,
		['encrypt']
	);
	const out = await globalThis.crypto.subtle.encrypt(
		{ name: 'RSA-OAEP' },
		key,
		options.data as BufferSource
	);
	return new Uint8Array(out);
}
