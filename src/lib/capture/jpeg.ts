/**
 * A reader for the few JPEG facts the wallet checks about a stored scan: its pixel size, and whether
 * any metadata (EXIF with its GPS block, XMP) survived re-encoding. Pure TypeScript with no DOM, so
 * unit tests in Node and browser tests share it. Reads marker segments up to the first scan
 * (ITU-T T.81 Annex B) and the TIFF structure inside an EXIF segment (CIPA DC-008, Exif 2.3).
 */

export interface JpegSegment {
	/** The marker's second byte: 0xE1 for APP1, 0xC0 for SOF0… */
	marker: number;
	/** Offset of the segment's payload (after the marker and its length field). */
	start: number;
	/** Payload length in bytes. */
	length: number;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP1 = 0xe1;
// SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
const FRAME_MARKERS = new Set([
	0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf
]);

export function isJpeg(bytes: Uint8Array): boolean {
	return bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === SOI;
}

/**
 * The header segments, in file order, up to and including the first SOS. Throws on a file that is
 * not a JPEG or whose segments run past its end: a scan the wallet cannot read must not pass as clean.
 */
export function readJpegSegments(bytes: Uint8Array): JpegSegment[] {
	if (!isJpeg(bytes)) throw new Error('Not a JPEG file');
	const segments: JpegSegment[] = [];
	let offset = 2;
	while (offset < bytes.length) {
		if (bytes[offset] !== 0xff) throw new Error(`Expected a marker at byte ${offset}`);
		// Any number of 0xFF fill bytes may precede a marker.
		while (offset < bytes.length && bytes[offset] === 0xff) offset++;
		if (offset >= bytes.length) break;
		const marker = bytes[offset++];
		if (marker === EOI) break;
		// Markers without a length field: TEM and RST0..RST7.
		if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
		if (offset + 2 > bytes.length) throw new Error('Truncated JPEG segment');
		const length = (bytes[offset] << 8) | bytes[offset + 1];
		if (length < 2 || offset + length > bytes.length) throw new Error('Truncated JPEG segment');
		segments.push({ marker, start: offset + 2, length: length - 2 });
		if (marker === SOS) break;
		offset += length;
	}
	return segments;
}

/** Pixel size from the frame header (baseline, progressive or any other SOF); null if it has none. */
export function readJpegSize(bytes: Uint8Array): { width: number; height: number } | null {
	const frame = readJpegSegments(bytes).find((segment) => FRAME_MARKERS.has(segment.marker));
	if (!frame || frame.length < 5) return null;
	const at = frame.start;
	// Payload: precision (1 byte), height (2), width (2), components…
	return {
		height: (bytes[at + 1] << 8) | bytes[at + 2],
		width: (bytes[at + 3] << 8) | bytes[at + 4]
	};
}

const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]; // "Exif\0\0"
const XMP_HEADER = 'http://ns.adobe.com/xap/1.0/\0';

function startsWith(bytes: Uint8Array, at: number, expected: readonly number[]): boolean {
	return expected.every((value, index) => bytes[at + index] === value);
}

function exifSegment(bytes: Uint8Array): JpegSegment | undefined {
	return readJpegSegments(bytes).find(
		(segment) =>
			segment.marker === APP1 &&
			segment.length >= EXIF_HEADER.length &&
			startsWith(bytes, segment.start, EXIF_HEADER)
	);
}

/** True when an APP1 "Exif" segment is present (camera, time, and often GPS position). */
export function jpegHasExif(bytes: Uint8Array): boolean {
	return exifSegment(bytes) !== undefined;
}

/** True when an APP1 XMP packet is present (it can repeat the GPS position in XML). */
export function jpegHasXmp(bytes: Uint8Array): boolean {
	const header = Array.from(XMP_HEADER, (character) => character.charCodeAt(0));
	return readJpegSegments(bytes).some(
		(segment) =>
			segment.marker === APP1 &&
			segment.length >= header.length &&
			startsWith(bytes, segment.start, header)
	);
}

export interface ExifSummary {
	/** 1..8 (1 = upright), or null when the tag is absent. */
	orientation: number | null;
	/** The GPS position in decimal degrees (south and west negative), or null without a GPS block. */
	gps: { latitude: number; longitude: number } | null;
}

const TAG_ORIENTATION = 0x0112;
const TAG_GPS_IFD = 0x8825;
const TAG_GPS_LATITUDE_REF = 0x0001;
const TAG_GPS_LATITUDE = 0x0002;
const TAG_GPS_LONGITUDE_REF = 0x0003;
const TAG_GPS_LONGITUDE = 0x0004;
const TYPE_ASCII = 2;
const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const TYPE_RATIONAL = 5;

/** Reads the TIFF structure inside an EXIF payload; every offset is checked against its end. */
class TiffReader {
	readonly #view: DataView;
	readonly #little: boolean;

	constructor(tiff: Uint8Array) {
		this.#view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
		const order = this.u16(0, true);
		if (order !== 0x4949 && order !== 0x4d4d) throw new Error('Bad TIFF byte order');
		this.#little = order === 0x4949;
		if (this.u16(2) !== 42) throw new Error('Bad TIFF magic number');
	}

	u16(at: number, little = this.#little): number {
		return this.#view.getUint16(at, little);
	}

	u32(at: number): number {
		return this.#view.getUint32(at, this.#little);
	}

	firstIfd(): number {
		return this.u32(4);
	}

	/** Entries of the IFD at `at`: tag -> offset of its 12-byte entry. */
	entries(at: number): Map<number, number> {
		const count = this.u16(at);
		const entries = new Map<number, number>();
		for (let index = 0; index < count; index++) {
			const entry = at + 2 + index * 12;
			entries.set(this.u16(entry), entry);
		}
		return entries;
	}

	/** The first value of a SHORT or LONG entry. */
	integer(entry: number): number | null {
		const type = this.u16(entry + 2);
		if (type === TYPE_SHORT) return this.u16(entry + 8);
		if (type === TYPE_LONG) return this.u32(entry + 8);
		return null;
	}

	/** An ASCII entry of up to 4 bytes (all a GPS reference needs), without its NUL. */
	shortAscii(entry: number): string | null {
		if (this.u16(entry + 2) !== TYPE_ASCII || this.u32(entry + 4) > 4) return null;
		const code = this.#view.getUint8(entry + 8);
		return code ? String.fromCharCode(code) : '';
	}

	/** Three RATIONALs (degrees, minutes, seconds) as decimal degrees. */
	degrees(entry: number): number | null {
		if (this.u16(entry + 2) !== TYPE_RATIONAL || this.u32(entry + 4) !== 3) return null;
		const data = this.u32(entry + 8);
		const parts = [0, 1, 2].map((index) => {
			const denominator = this.u32(data + index * 8 + 4);
			return denominator === 0 ? 0 : this.u32(data + index * 8) / denominator;
		});
		return parts[0] + parts[1] / 60 + parts[2] / 3600;
	}
}

/**
 * Orientation and GPS position from the EXIF segment; null when there is no EXIF segment.
 * Throws on a malformed one (an offset past its end), which a test should notice, not skip.
 */
export function readExif(bytes: Uint8Array): ExifSummary | null {
	const segment = exifSegment(bytes);
	if (!segment) return null;
	const tiffStart = segment.start + EXIF_HEADER.length;
	const tiff = new TiffReader(bytes.subarray(tiffStart, segment.start + segment.length));
	const ifd0 = tiff.entries(tiff.firstIfd());

	const orientationEntry = ifd0.get(TAG_ORIENTATION);
	const orientation = orientationEntry === undefined ? null : tiff.integer(orientationEntry);

	let gps: ExifSummary['gps'] = null;
	const gpsPointer = ifd0.get(TAG_GPS_IFD);
	const gpsOffset = gpsPointer === undefined ? null : tiff.integer(gpsPointer);
	if (gpsOffset !== null) {
		const fields = tiff.entries(gpsOffset);
		const read = (valueTag: number, refTag: number, negative: string) => {
			const valueEntry = fields.get(valueTag);
			const refEntry = fields.get(refTag);
			const value = valueEntry === undefined ? null : tiff.degrees(valueEntry);
			if (value === null) return null;
			return refEntry !== undefined && tiff.shortAscii(refEntry) === negative ? -value : value;
		};
		const latitude = read(TAG_GPS_LATITUDE, TAG_GPS_LATITUDE_REF, 'S');
		const longitude = read(TAG_GPS_LONGITUDE, TAG_GPS_LONGITUDE_REF, 'W');
		if (latitude !== null && longitude !== null) gps = { latitude, longitude };
	}
	return { orientation, gps };
}
