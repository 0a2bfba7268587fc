/**
 * A deliberately tiny DER (ITU-T X.690) reader and writer: just enough to read RSA keys
 * (RFC 8017 RSAPublicKey / RSAPrivateKey, RFC 5280 SubjectPublicKeyInfo, RFC 5208 PKCS#8)
 * and to wrap PKCS#1 keys into the SPKI / PKCS#8 containers WebCrypto imports.
 * Every read is bounds-checked and throws DerError; callers turn that into a protocol code.
 */

export class DerError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'DerError';
	}
}

export const DER_TAG = {
	integer: 0x02,
	bitString: 0x03,
	octetString: 0x04,
	null: 0x05,
	objectIdentifier: 0x06,
	sequence: 0x30
} as const;

export interface DerNode {
	tag: number;
	/** The value bytes (a view into the input, not a copy). */
	value: Uint8Array;
	/** Offset just past this node in the buffer it was read from. */
	end: number;
}

/** Reads one TLV at `offset`. Only definite lengths and single-byte tags: DER allows nothing else here. */
export function readDerNode(bytes: Uint8Array, offset = 0): DerNode {
	if (offset + 2 > bytes.length) throw new DerError('Truncated DER header');
	const tag = bytes[offset];
	if ((tag & 0x1f) === 0x1f) throw new DerError('Multi-byte DER tags are not used by RSA keys');
	let length = bytes[offset + 1];
	let cursor = offset + 2;
	if (length & 0x80) {
		const lengthBytes = length & 0x7f;
		// 0x80 is BER's indefinite length; more than 4 length bytes cannot describe a real key.
		if (lengthBytes === 0 || lengthBytes > 4) throw new DerError('Unsupported DER length');
		if (cursor + lengthBytes > bytes.length) throw new DerError('Truncated DER length');
		length = 0;
		for (let i = 0; i < lengthBytes; i++) length = length * 256 + bytes[cursor + i];
		cursor += lengthBytes;
		if (length < 0x80) throw new DerError('Non-minimal DER length');
	}
	if (cursor + length > bytes.length) throw new DerError('DER value runs past the end');
	return { tag, value: bytes.subarray(cursor, cursor + length), end: cursor + length };
}

/** Reads a node and insists on its tag. */
export function expectDerNode(bytes: Uint8Array, offset: number, tag: number): DerNode {
	const node = readDerNode(bytes, offset);
	if (node.tag !== tag) throw new DerError(`Expected DER tag 0x${tag.toString(16)}`);
	return node;
}

/** The children of a constructed value; throws if they do not exactly fill it. */
export function readDerChildren(value: Uint8Array): DerNode[] {
	const children: DerNode[] = [];
	let offset = 0;
	while (offset < value.length) {
		const child = readDerNode(value, offset);
		children.push(child);
		offset = child.end;
	}
	return children;
}

/** Parses a whole buffer as exactly one node: trailing bytes mean a corrupted or forged key. */
export function readSingleDerNode(bytes: Uint8Array, tag: number): DerNode {
	const node = expectDerNode(bytes, 0, tag);
	if (node.end !== bytes.length) throw new DerError('Trailing bytes after DER value');
	return node;
}

/** Unsigned magnitude of a DER INTEGER; throws on negative values. */
export function derUnsignedInteger(node: DerNode): Uint8Array {
	if (node.tag !== DER_TAG.integer || node.value.length === 0) throw new DerError('Not an INTEGER');
	if (node.value[0] & 0x80) throw new DerError('Negative INTEGER');
	let start = 0;
	while (start < node.value.length - 1 && node.value[start] === 0) start++;
	return node.value.subarray(start);
}

/** Bit length of an unsigned big-endian magnitude. */
export function bitLength(magnitude: Uint8Array): number {
	let start = 0;
	while (start < magnitude.length && magnitude[start] === 0) start++;
	if (start === magnitude.length) return 0;
	return (magnitude.length - start - 1) * 8 + (32 - Math.clz32(magnitude[start]));
}

function encodeLength(length: number): Uint8Array {
	if (length < 0x80) return Uint8Array.of(length);
	const digits: number[] = [];
	for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) digits.unshift(rest & 0xff);
	return Uint8Array.of(0x80 | digits.length, ...digits);
}

/** Encodes one TLV. */
export function encodeDer(tag: number, ...contents: Uint8Array[]): Uint8Array {
	const valueLength = contents.reduce((sum, part) => sum + part.length, 0);
	const header = encodeLength(valueLength);
	const out = new Uint8Array(1 + header.length + valueLength);
	out[0] = tag;
	out.set(header, 1);
	let offset = 1 + header.length;
	for (const part of contents) {
		out.set(part, offset);
		offset += part.length;
	}
	return out;
}

/** rsaEncryption, OID 1.2.840.113549.1.1.1, as its DER content bytes. */
export const RSA_ENCRYPTION_OID = Uint8Array.of(
	0x2a,
	0x86,
	0x48,
	0x86,
	0xf7,
	0x0d,
	0x01,
	0x01,
	0x01
);

/** AlgorithmIdentifier { rsaEncryption, NULL }: the one both SPKI and PKCS#8 use for RSA. */
export function rsaAlgorithmIdentifier(): Uint8Array {
	return encodeDer(
		DER_TAG.sequence,
		encodeDer(DER_TAG.objectIdentifier, RSA_ENCRYPTION_OID),
		encodeDer(DER_TAG.null)
	);
}

/** Checks that an AlgorithmIdentifier names rsaEncryption (parameters NULL or absent). */
export function isRsaAlgorithmIdentifier(node: DerNode): boolean {
	if (node.tag !== DER_TAG.sequence) return false;
	const children = readDerChildren(node.value);
	if (children.length < 1 || children.length > 2) return false;
	const oid = children[0];
	if (oid.tag !== DER_TAG.objectIdentifier || oid.value.length !== RSA_ENCRYPTION_OID.length) {
		return false;
	}
	for (let i = 0; i < RSA_ENCRYPTION_OID.length; i++) {
		if (oid.value[i] !== RSA_ENCRYPTION_OID[i]) return false;
	}
	return (
		children.length === 1 || (children[1].tag === DER_TAG.null && children[1].value.length === 0)
	);
}
