import { describe, expect, it } from 'vitest';
import { seal } from '$lib/crypto/aead';
import {
	bucketLength,
	dayOf,
	pad,
	PaddingError,
	RECORD_BUCKET,
	SCAN_BUCKET,
	unpad
} from '$lib/vault/padding';

const key = new Uint8Array(32).fill(7);

describe('padding to size buckets', () => {
	it('seals every content length to a whole bucket and gives the content back', () => {
		for (const step of [RECORD_BUCKET, SCAN_BUCKET]) {
			for (const length of [0, 1, 100, step - 45, step - 44, step - 43, step, 3 * step + 5]) {
				const content = new Uint8Array(length).map((_, i) => (i % 250) + 1);
				const padded = pad(content, step);
				const sealed = seal({ key, plaintext: padded });
				expect(sealed.length % step, `${length} in steps of ${step}`).toBe(0);
				expect(sealed.length).toBe(bucketLength(length, step));
				// Compared as one Buffer: toEqual walks a scan-sized array element by element.
				expect(Buffer.from(unpad(padded, step)).equals(Buffer.from(content))).toBe(true);
			}
		}
	});

	it('puts contents of very different sizes in the same bucket', () => {
		expect(bucketLength(10, RECORD_BUCKET)).toBe(bucketLength(400, RECORD_BUCKET));
		expect(bucketLength(1, SCAN_BUCKET)).toBe(bucketLength(60_000, SCAN_BUCKET));
	});

	it('refuses a padded payload that could be read two ways', () => {
		const padded = pad(new Uint8Array([1, 2, 3]), RECORD_BUCKET);
		const nonZero = padded.slice();
		nonZero[nonZero.length - 1] = 1;
		expect(() => unpad(nonZero, RECORD_BUCKET)).toThrow(PaddingError);

		const tooLong = padded.slice();
		new DataView(tooLong.buffer).setUint32(0, tooLong.length);
		expect(() => unpad(tooLong, RECORD_BUCKET)).toThrow(PaddingError);

		const offBucket = padded.slice(0, padded.length - 1);
		expect(() => unpad(offBucket, RECORD_BUCKET)).toThrow(PaddingError);

		// A whole extra bucket of zeros is refused: one content, one padded form.
		const extra = new Uint8Array(padded.length + RECORD_BUCKET);
		extra.set(padded);
		expect(() => unpad(extra, RECORD_BUCKET)).toThrow(PaddingError);

		expect(() => unpad(new Uint8Array(2), RECORD_BUCKET)).toThrow(PaddingError);
	});

	it('keeps only the UTC day of a time', () => {
		const at = Date.UTC(2026, 11, 2, 3, 14, 15, 926);
		expect(dayOf(at)).toBe(Date.UTC(2026, 11, 2));
		expect(dayOf(Date.UTC(2026, 11, 2))).toBe(Date.UTC(2026, 11, 2));
	});
});
