/**
 * The service's RSA public key from the consent URL (PROTOCOL.md 1, `public_key`).
 * Accepts SPKI (`BEGIN PUBLIC KEY`, RFC 5280) and PKCS#1 (`BEGIN RSA PUBLIC KEY`, RFC 8017),
 * always hands back SPKI (what WebCrypto imports), and refuses moduli under 2048 bits.
 */

import {
	DER_TAG,
	DerError,
	bitLength,
	derUnsignedInteger,
	encodeDer,
	isRsaAlgorithmIdentifier,
	readDerChildren,
	readSingleDerNode,
	rsaAlgorithmIdentifier
} from './der';
import { readPemBlock, writePem } from './pem';

export const MIN_RSA_MODULUS_BITS = 2048;
/** Larger keys only cost the wallet time; no service needs more. */
export const MAX_RSA_MODULUS_BITS = 8192;

export interface ServicePublicKey {
	/** DER SubjectPublicKeyInfo. */
	spki: Uint8Array;
	/** The same key as `BEGIN PUBLIC KEY` PEM, whatever form it arrived in. */
	pem: string;
	modulusBits: number;
}

export type PublicKeyResult =
	| { ok: true; key: ServicePublicKey }
	| { ok: false; code: 'PUBLIC_KEY_REQUIRED' | 'PUBLIC_KEY_INVALID' };

/** Reads RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }. */
function readRsaPublicKey(pkcs1: Uint8Array): { modulusBits: number } {
	const sequence = readSingleDerNode(pkcs1, DER_TAG.sequence);
	const children = readDerChildren(sequence.value);
	if (children.length !== 2) throw new DerError('RSAPublicKey has two fields');
	const modulus = derUnsignedInteger(children[0]);
	const exponent = derUnsignedInteger(children[1]);
	// An even or tiny exponent is not an RSA key anyone could have generated honestly.
	const exponentBits = bitLength(exponent);
	if (exponentBits < 2 || exponentBits > 64 || (exponent[exponent.length - 1] & 1) === 0) {
		throw new DerError('Bad RSA public exponent');
	}
	return { modulusBits: bitLength(modulus) };
}

/** Wraps a PKCS#1 RSAPublicKey into SubjectPublicKeyInfo. */
export function wrapPkcs1PublicKey(pkcs1: Uint8Array): Uint8Array {
	const bitString = new Uint8Array(pkcs1.length + 1); // leading 0: no unused bits
	bitString.set(pkcs1, 1);
	return encodeDer(
		DER_TAG.sequence,
		rsaAlgorithmIdentifier(),
		encodeDer(DER_TAG.bitString, bitString)
	);
}

/** The PKCS#1 key inside an SPKI, after checking that the SPKI is for RSA. */
function unwrapSpki(spki: Uint8Array): Uint8Array {
	const sequence = readSingleDerNode(spki, DER_TAG.sequence);
	const children = readDerChildren(sequence.value);
	if (children.length !== 2 || !isRsaAlgorithmIdentifier(children[0])) {
		throw new DerError('Not an RSA SubjectPublicKeyInfo');
	}
	const bitString = children[1];
	if (bitString.tag !== DER_TAG.bitString || bitString.value.length < 2 || bitString.value[0] !== 0)
		throw new DerError('Bad BIT STRING');
	return bitString.value.subarray(1);
}

export function parseServicePublicKey(text: string | null | undefined): PublicKeyResult {
	if (text === null || text === undefined || text.trim() === '') {
		return { ok: false, code: 'PUBLIC_KEY_REQUIRED' };
	}
	// A 8192-bit key is under 1.5 kB of PEM; anything far larger is not a key.
	if (text.length > 16384) return { ok: false, code: 'PUBLIC_KEY_INVALID' };
	const block = readPemBlock(text);
	if (!block) return { ok: false, code: 'PUBLIC_KEY_INVALID' };
	try {
		let spki: Uint8Array;
		let pkcs1: Uint8Array;
		if (block.label === 'PUBLIC KEY') {
			spki = block.der;
			pkcs1 = unwrapSpki(spki);
		} else if (block.label === 'RSA PUBLIC KEY') {
			pkcs1 = block.der;
			spki = wrapPkcs1PublicKey(pkcs1);
		} else {
			return { ok: false, code: 'PUBLIC_KEY_INVALID' };
		}
		const { modulusBits } = readRsaPublicKey(pkcs1);
		if (modulusBits < MIN_RSA_MODULUS_BITS || modulusBits > MAX_RSA_MODULUS_BITS) {
			return { ok: false, code: 'PUBLIC_KEY_INVALID' };
		}
		return { ok: true, key: { spki, pem: writePem('PUBLIC KEY', spki), modulusBits } };
	} catch (error) {
		if (error instanceof DerError) return { ok: false, code: 'PUBLIC_KEY_INVALID' };
		throw error;
	}
}
