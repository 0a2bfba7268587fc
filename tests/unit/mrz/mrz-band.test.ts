import { describe, expect, it } from 'vitest';
import { cutBand, findMrzBand, toPgm, type GreyImage } from '$lib/capture/mrz-band';
import { stemHeight } from '$lib/capture/mrz-glyphs';

/**
 * A page with two MRZ-like lines (44 dark strokes each, evenly spaced) and one short label, on a
 * mid-grey background, the page turned by `degrees` about the image centre.
 */
function page(degrees: number): GreyImage {
	const width = 900;
	const height = 700;
	const data = new Uint8Array(width * height).fill(120);
	const angle = (degrees * Math.PI) / 180;
	const cos = Math.cos(angle);
	const sin = Math.sin(angle);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			// Page coordinates of this pixel (the page turned about the centre).
			const u = (x - width / 2) * cos + (y - height / 2) * sin + width / 2;
			const v = -(x - width / 2) * sin + (y - height / 2) * cos + height / 2;
			if (u < 60 || u > 840 || v < 80 || v > 620) continue;
			let value = 235;
			const stroke = (row: number, count: number) =>
				v > row && v < row + 22 && u > 90 && u < 90 + count * 16 && (u - 90) % 16 < 4;
			if (stroke(520, 44) || stroke(560, 44) || stroke(150, 8)) value = 30;
			data[y * width + x] = value;
		}
	}
	return { width, height, data };
}

describe('findMrzBand', () => {
	it('finds the two dense lines and the page’s turn', () => {
		for (const degrees of [0, 4, -3]) {
			const band = findMrzBand(page(degrees));
			expect(band, `at ${degrees}°`).toBeDefined();
			expect(band!.lines).toBe(2);
			expect(Math.abs((band!.angle * 180) / Math.PI - degrees)).toBeLessThanOrEqual(0.75);
			// The lines' middle (page row 551) turned back to the photo's coordinates.
			const angle = (degrees * Math.PI) / 180;
			const expectedY = 350 + (551 - 350) * Math.cos(angle) + (450 - 450) * Math.sin(angle);
			expect(Math.abs(band!.centerY - expectedY)).toBeLessThan(25);
		}
	});

	it('finds nothing on a blank page', () => {
		expect(
			findMrzBand({ width: 400, height: 300, data: new Uint8Array(400 * 300).fill(200) })
		).toBeUndefined();
	});

	it('cuts the band straight: its rows of ink are level', () => {
		const photo = page(4);
		const cut = cutBand(photo, findMrzBand(photo)!);
		expect(cut.width).toBeGreaterThan(cut.height * 5);
		// In each text row of the cut, ink spans the row from the first stroke to the last.
		const inkRows = [];
		for (let y = 0; y < cut.height; y++) {
			let dark = 0;
			for (let x = 0; x < cut.width; x++) if (cut.data[y * cut.width + x] < 128) dark++;
			if (dark > cut.width * 0.15) inkRows.push(y);
		}
		expect(inkRows.length).toBeGreaterThan(10);
		expect(new TextDecoder().decode(toPgm(cut).subarray(0, 2))).toBe('P5');
	});
});

describe('stemHeight', () => {
	function cell(draw: (x: number, y: number) => boolean): GreyImage {
		const data = new Uint8Array(20 * 40).fill(230);
		for (let y = 0; y < 40; y++) for (let x = 0; x < 20; x++) if (draw(x, y)) data[y * 20 + x] = 20;
		return { width: 20, height: 40, data };
	}

	it('is tall for a K or L stem and short for the arms of a `<`', () => {
		const stem = cell((x, y) => x >= 4 && x <= 6 && y >= 8 && y <= 32);
		// Two arms from the right edge to a point at the left, mid-height.
		const chevron = cell((x, y) => {
			const arm = 20 - Math.abs(y - 20) * 0.8;
			return y >= 10 && y <= 30 && Math.abs(x - (4 + Math.abs(y - 20) * 1.2)) < 1.5 && arm > 0;
		});
		expect(stemHeight(stem, 10, 10, 8, 32)).toBeGreaterThan(0.9);
		expect(stemHeight(chevron, 10, 10, 8, 32)).toBeLessThan(0.5);
	});
});
