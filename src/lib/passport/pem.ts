/**
 * PEM (RFC 7468) reading and writing for the RSA keys of the consent protocol (PROTOCOL.md 1).
 * Reading is lenient about line endings and unencoded '+', strict about everything else:
 * exactly one block, matching labels, nothing but base64 between them.
 */

import { fromBase64, toBase64 } from '../crypto/bytes';

export interface PemBlock {
	label: string;
	der: Uint8Array;
}

const PEM_BLOCK = /^-----BEGIN ([A-Z0-9 ]+)-----\n([\s\S]*?)\n?-----END ([A-Z0-9 ]+)-----$/;

/** Returns the single PEM block in `text`, or undefined when there is none or more than one. */
export function readPemBlock(text: string): PemBlock | undefined {
	// Keys arrive through URLs and text areas: \r\n, stray \r and surrounding blank lines are common.
	const normalised = text.replace(/\r\n?/g, '\n').trim();
	const match = PEM_BLOCK.exec(normalised);
	if (!match || match[1] !== match[3]) return undefined;
	const body = match[2]
		.replace(/[\n\t]/g, '')
		// A '+' that the service forgot to percent-encode reaches us as a space once the query is
		// decoded; base64 never contains spaces, so turning them back is safe and saves the request.
		.replace(/ /g, '+');
	if (body.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) {
		return undefined;
	}
	try {
		return { label: match[1], der: fromBase64(body) };
	} catch {
		return undefined;
	}
}

/** Standard PEM with 64-character lines and `\n` endings. */
export function writePem(label: string, der: Uint8Array): string {
	const body = toBase64(der).replace(/.{64}(?=.)/g, '$&\n');
	return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
