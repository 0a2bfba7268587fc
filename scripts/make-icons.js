// Draws the app icons (a white identity card on the brand blue) as PNGs with no dependencies.
// Run once with `node scripts/make-icons.js`; the PNGs are committed under static/icons/.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [0x1f, 0x4e, 0x79];
const WHITE = [0xff, 0xff, 0xff];
const GOLD = [0xf0, 0xa2, 0x02];

function crc32(bytes) {
	let crc = ~0;
	for (const byte of bytes) {
		crc ^= byte;
		for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc >>> 0;
}

function chunk(type, data) {
	const out = Buffer.alloc(12 + data.length);
	out.writeUInt32BE(data.length, 0);
	out.write(type, 4, 'ascii');
	data.copy(out, 8);
	out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
	return out;
}

function png(size, pixel) {
	const raw = Buffer.alloc(size * (size * 3 + 1));
	for (let y = 0; y < size; y++) {
		raw[y * (size * 3 + 1)] = 0;
		for (let x = 0; x < size; x++) {
			const [r, g, b] = pixel(x / size, y / size);
			const at = y * (size * 3 + 1) + 1 + x * 3;
			raw[at] = r;
			raw[at + 1] = g;
			raw[at + 2] = b;
		}
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(size, 0);
	header.writeUInt32BE(size, 4);
	header[8] = 8; // bit depth
	header[9] = 2; // truecolour
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0))
	]);
}

/** The card drawing, scaled into a centred box of the given fraction of the icon. */
function card(scale) {
	const inset = (1 - scale) / 2;
	return (u, v) => {
		const x = (u - inset) / scale;
		const y = (v - inset) / scale;
		const inCard = x > 0.12 && x < 0.88 && y > 0.24 && y < 0.76;
		if (!inCard) return BLUE;
		const inPhoto = x > 0.2 && x < 0.42 && y > 0.34 && y < 0.64;
		if (inPhoto) return GOLD;
		const line = (top) => x > 0.5 && x < 0.8 && y > top && y < top + 0.05;
		if (line(0.36) || line(0.46) || line(0.56)) return BLUE;
		return WHITE;
	};
}

writeFileSync('static/icons/icon-192.png', png(192, card(1)));
writeFileSync('static/icons/icon-512.png', png(512, card(1)));
// Maskable icons may be cropped to a circle of 80% diameter: keep the drawing inside it.
writeFileSync('static/icons/maskable-512.png', png(512, card(0.72)));
