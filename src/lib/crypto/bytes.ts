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
const BASE64_CODES = Uint8Array.from(BASE64_ALPHABET, (char) => char.charCodeAt(0));
const PAD = '='.charCodeAt(0);

type NativeBase64 = Uint8Array & { toBase64?: () => string };

/** Bytes per String.fromCharCode call: well under any engine's argument limit. */
const CHARS_PER_CALL = 0x8000;

/**
 * Standard base64 with `=` padding. Delivery encodes megabytes of scans with it right after
 * Authorize, so: the engine's own Uint8Array.prototype.toBase64 where there is one (Chromium,
 * Firefox, Safari, Node ≥ 25), else a table loop into a byte array turned into a string in large
 * chunks (adding to a string three bytes at a time took ~60–150 ms per 2.3 MB in Chromium).
 */
export function toBase64(bytes: Uint8Array): string {
	const native = (bytes as NativeBase64).toBase64;
	if (typeof native === 'function') return native.call(bytes);
	const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
	let i = 0;
	let o = 0;
	for (; i + 2 < bytes.length; i += 3) {
		const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
		out[o++] = BASE64_CODES[n >> 18];
		out[o++] = BASE64_CODES[(n >> 12) & 63];
		out[o++] = BASE64_CODES[(n >> 6) & 63];
		out[o++] = BASE64_CODES[n & 63];
	}
	const rest = bytes.length - i;
	if (rest > 0) {
		const n = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0);
		out[o++] = BASE64_CODES[n >> 18];
		out[o++] = BASE64_CODES[(n >> 12) & 63];
		out[o++] = rest === 2 ? BASE64_CODES[(n >> 6) & 63] : PAD;
		out[o++] = PAD;
	}
	let text = '';
	for (let start = 0; start < out.length; start += CHARS_PER_CALL) {
		text += String.fromCharCode.apply(null, out.subarray(start, start + CHARS_PER_CALL) as never);
	}
	return text;
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
