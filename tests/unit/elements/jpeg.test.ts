import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
	isJpeg,
	jpegHasExif,
	jpegHasXmp,
	readExif,
	readJpegSegments,
	readJpegSize
} from '$lib/capture/jpeg';
import { encodeJpeg, FIXTURE_CAMERA, FIXTURE_GPS, FIXTURES } from '../../fixtures/make-fixtures.js';

const scansDir = join(import.meta.dirname, '../../fixtures/scans');
const fixture = (name: string) => new Uint8Array(readFileSync(join(scansDir, name)));

/** The same file with every APP1 segment cut out, as a clean re-encode would leave it. */
function withoutApp1(bytes: Uint8Array): Uint8Array {
	const kept: number[] = [0xff, 0xd8];
	for (const segment of readJpegSegments(bytes)) {
		if (segment.marker === 0xe1) continue;
		kept.push(...bytes.subarray(segment.start - 4, segment.start + segment.length));
	}
	const sos = readJpegSegments(bytes).at(-1)!;
	return Uint8Array.from([...kept, ...bytes.subarray(sos.start + sos.length)]);
}

describe('JPEG fixtures', () => {
	it('are what make-fixtures.js writes, byte for byte', () => {
		for (const spec of FIXTURES) {
			expect(fixture(spec.name)).toEqual(encodeJpeg(spec));
		}
	});

	it('stay under 500 KB', () => {
		for (const spec of FIXTURES) {
			expect(fixture(spec.name).length).toBeLessThan(500 * 1024);
		}
	});
});

describe('readJpegSize', () => {
	it('reads the frame size', () => {
		expect(readJpegSize(fixture('gps-large-3000x2000.jpg'))).toEqual({ width: 3000, height: 2000 });
		expect(readJpegSize(fixture('gps-small-640x480.jpg'))).toEqual({ width: 640, height: 480 });
		// The stored size, before orientation: the frame is what the encoder wrote.
		expect(readJpegSize(fixture('gps-rotated-1200x800-orientation6.jpg'))).toEqual({
			width: 1200,
			height: 800
		});
	});

	it('reads a progressive (SOF2) frame too', () => {
		const bytes = fixture('gps-small-640x480.jpg').slice();
		const frame = readJpegSegments(bytes).find((segment) => segment.marker === 0xc0)!;
		bytes[frame.start - 3] = 0xc2;
		expect(readJpegSize(bytes)).toEqual({ width: 640, height: 480 });
	});

	it('refuses what is not a JPEG, or is cut short', () => {
		expect(isJpeg(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBe(false);
		expect(() => readJpegSize(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toThrow();
		expect(() => readJpegSize(fixture('gps-small-640x480.jpg').subarray(0, 100))).toThrow();
	});
});

describe('EXIF detection', () => {
	it('finds the EXIF block, its GPS position, camera and orientation in every fixture', () => {
		for (const spec of FIXTURES) {
			const bytes = fixture(spec.name);
			expect(jpegHasExif(bytes), spec.name).toBe(true);
			const exif = readExif(bytes)!;
			expect(exif.orientation).toBe(spec.orientation);
			expect(exif.gps!.latitude).toBeCloseTo(FIXTURE_GPS.latitude, 5);
			expect(exif.gps!.longitude).toBeCloseTo(FIXTURE_GPS.longitude, 5);
			expect(Buffer.from(bytes).includes(FIXTURE_CAMERA)).toBe(true);
		}
	});

	it('finds the XMP packet where one was written', () => {
		expect(jpegHasXmp(fixture('gps-small-640x480.jpg'))).toBe(true);
		expect(jpegHasXmp(fixture('gps-large-3000x2000.jpg'))).toBe(false);
	});

	it('reports a file without metadata as clean', () => {
		const clean = withoutApp1(fixture('gps-small-640x480.jpg'));
		expect(jpegHasExif(clean)).toBe(false);
		expect(jpegHasXmp(clean)).toBe(false);
		expect(readExif(clean)).toBeNull();
		expect(readJpegSize(clean)).toEqual({ width: 640, height: 480 });
	});

	it('reads big-endian EXIF and southern/western positions', () => {
		// A hand-made Motorola-order TIFF: IFD0 with a GPS pointer; GPS IFD with S and W references.
		const be16 = (v: number) => [v >> 8, v & 0xff];
		const be32 = (v: number) => [v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
		const entry = (tag: number, type: number, count: number, value: number[]) => [
			...be16(tag),
			...be16(type),
			...be32(count),
			...value
		];
		const gpsAt = 8 + 2 + 12 + 4;
		const latAt = gpsAt + 2 + 4 * 12 + 4;
		const lonAt = latAt + 24;
		const tiff = [
			...[0x4d, 0x4d, 0, 42],
			...be32(8),
			...be16(1),
			...entry(0x8825, 4, 1, be32(gpsAt)),
			...be32(0),
			...be16(4),
			...entry(1, 2, 2, [0x53, 0, 0, 0]),
			...entry(2, 5, 3, be32(latAt)),
			...entry(3, 2, 2, [0x57, 0, 0, 0]),
			...entry(4, 5, 3, be32(lonAt)),
			...be32(0),
			...[33, 1, 52, 1, 30, 1].flatMap(be32),
			...[70, 1, 39, 1, 0, 1].flatMap(be32)
		];
		const app1 = [...'Exif\0\0'].map((c) => c.charCodeAt(0)).concat(tiff);
		const base = withoutApp1(fixture('gps-small-640x480.jpg'));
		const bytes = Uint8Array.from([
			0xff,
			0xd8,
			0xff,
			0xe1,
			...be16(app1.length + 2),
			...app1,
			...base.subarray(2)
		]);
		expect(readExif(bytes)).toEqual({
			orientation: null,
			gps: { latitude: -(33 + 52 / 60 + 30 / 3600), longitude: -(70 + 39 / 60) }
		});
	});
});
