/**
 * Byte helpers shared by crypto/, passport/ and the service kit.
 * Standard base64 with `=` padding is what Telegram's JSON carries (PROTOCOL.md 4.1);
 * base64url is only for URLs and opaque ids. Works in Node ≥ 20 and browsers alike.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Encode(text: string): Uint8Array {
	return encoder.encode(text);
}

/** Throws on invalid UTF-8 rather than inventing replacement characters. */
export function utf8Decode(bytes: Uint8Array): string {
	return decoder.decode(bytes);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
	let offset = 0;
	for (const part of parts) {
		out.set(part, offset);
		offset += part.length;
	}
	return out;
}

/** Constant-time comparison, for hashes and tags. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
	return diff === 0;
}

export function randomBytes(length: number): Uint8Array {
	const out = new Uint8Array(length);
	// getRandomValues fills at most 65536 bytes per call.
	for (let offset = 0; offset < length; offset += 65536) {
		crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
	}
	return out;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < BASE64_ALPHABET.length; i++) BASE64_LOOKUP[BASE64_ALPHABET.charCodeAt(i)] = i;

/** Standard base64 with `=` padding. */
export function toBase64(bytes: Uint8Array): string {
	let out = '';
	let i = 0;
	for (; i + 2 < bytes.length; i += 3) {
		const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
		out +=
			BASE64_ALPHABET[n >> 18] +
			BASE64_ALPHABET[(n >> 12) & 63] +
			BASE64_ALPHABET[(n >> 6) & 63] +
			BASE64_ALPHABET[n & 63];
	}
	const rest = bytes.length - i;
	if (rest === 1) {
		const n = bytes[i] << 16;
		out += BASE64_ALPHABET[n >> 18] + BASE64_ALPHABET[(n >> 12) & 63] + '==';
	} else if (rest === 2) {
		const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
		out +=
			BASE64_ALPHABET[n >> 18] +
			BASE64_ALPHABET[(n >> 12) & 63] +
			BASE64_ALPHABET[(n >> 6) & 63] +
			'=';
	}
	return out;
}

/**
 * Decodes standard base64 (padding optional) or base64url. Throws on any other character,
 * so corrupted input is reported instead of silently decoded into different bytes.
 */
export function fromBase64(text: string): Uint8Array {
	const clean = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
	if (clean.length % 4 === 1) throw new Error('Invalid base64 length');
	const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
	let bits = 0;
	let value = 0;
	let index = 0;
	for (let i = 0; i < clean.length; i++) {
		const code = clean.charCodeAt(i);
		const digit = code < 128 ? BASE64_LOOKUP[code] : -1;
		if (digit < 0) throw new Error('Invalid base64 character');
		value = (value << 6) | digit;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[index++] = (value >> bits) & 0xff;
		}
	}
	return out;
}

export function toBase64Url(bytes: Uint8Array): string {
	return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function toHex(bytes: Uint8Array): string {
	return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Uint8Array {
	if (hex.length % 2 !== 0 || /[^0-9a-f]/i.test(hex)) throw new Error('Invalid hex');
	const out = new Uint8Array(hex.length / 2);
	for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
	return out;
}

/** Overwrites secret material we no longer need (best effort: JS may have copied it). */
export function wipe(...arrays: Uint8Array[]): void {
	for (const array of arrays) array.fill(0);
}
