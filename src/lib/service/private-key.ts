/**
 * The service's RSA private key, from PEM: PKCS#8 (`BEGIN PRIVATE KEY`, RFC 5208) or PKCS#1
 * (`BEGIN RSA PRIVATE KEY`, RFC 8017, what Telegram's guide makes with `openssl genrsa`), wrapped
 * into PKCS#8 for WebCrypto. Imported for RSA-OAEP with SHA-1 (PROTOCOL.md 4.1 step 6).
 */

import {
	DER_TAG,
	encodeDer,
	readDerChildren,
	readSingleDerNode,
	rsaAlgorithmIdentifier
} from '../passport/der';
import { readPemBlock } from '../passport/pem';

export class PrivateKeyError extends Error {
	readonly code = 'PRIVATE_KEY_INVALID';
	constructor(message: string) {
		super(message);
		this.name = 'PrivateKeyError';
	}
}

/** PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { RSAPrivateKey } }. */
export function wrapPkcs1PrivateKey(pkcs1: Uint8Array): Uint8Array {
	return encodeDer(
		DER_TAG.sequence,
		encodeDer(DER_TAG.integer, Uint8Array.of(0)),
		rsaAlgorithmIdentifier(),
		encodeDer(DER_TAG.octetString, pkcs1)
	);
}

function pkcs8FromPem(pem: string): Uint8Array {
	const block = readPemBlock(pem);
	if (!block) throw new PrivateKeyError('Not a single PEM block');
	if (block.label === 'PRIVATE KEY') return block.der;
	if (block.label === 'RSA PRIVATE KEY') {
		try {
			// RSAPrivateKey has 9 INTEGERs (two-prime); check the outline before wrapping it.
			const fields = readDerChildren(readSingleDerNode(block.der, DER_TAG.sequence).value);
			if (fields.length < 9 || fields.some((field) => field.tag !== DER_TAG.integer)) {
				throw new PrivateKeyError('Not an RSAPrivateKey');
			}
		} catch (error) {
			if (error instanceof PrivateKeyError) throw error;
			throw new PrivateKeyError('Not an RSAPrivateKey');
		}
		return wrapPkcs1PrivateKey(block.der);
	}
	throw new PrivateKeyError(`Unsupported PEM label ${block.label}`);
}

export async function importServicePrivateKey(pem: string): Promise<CryptoKey> {
	const pkcs8 = pkcs8FromPem(pem);
	try {
		return await globalThis.crypto.subtle.importKey(
			'pkcs8',
			pkcs8 as BufferSource,
			{ name: 'RSA-OAEP', hash: 'SHA-1' },
			false,
			['decrypt']
		);
	} catch {
		throw new PrivateKeyError('WebCrypto refused the key: not an RSA private key');
	}
}
