import { describe, expect, it } from 'vitest';
import { downscaleSteps, fitWithin, MAX_SCAN_SIDE } from '$lib/capture/size';

describe('fitWithin', () => {
	it('brings the long side down to 2048 px, keeping the aspect ratio', () => {
		expect(MAX_SCAN_SIDE).toBe(2048);
		expect(fitWithin({ width: 3000, height: 2000 })).toEqual({ width: 2048, height: 1365 });
		expect(fitWithin({ width: 3024, height: 4032 })).toEqual({ width: 1536, height: 2048 });
		expect(fitWithin({ width: 8000, height: 8000 })).toEqual({ width: 2048, height: 2048 });
	});

	it('never enlarges', () => {
		expect(fitWithin({ width: 640, height: 480 })).toEqual({ width: 640, height: 480 });
		expect(fitWithin({ width: 2048, height: 1 })).toEqual({ width: 2048, height: 1 });
	});

	it('keeps at least one pixel on a very thin picture', () => {
		expect(fitWithin({ width: 100_000, height: 10 })).toEqual({ width: 2048, height: 1 });
	});

	it('refuses a picture with no pixels', () => {
		expect(() => fitWithin({ width: 0, height: 100 })).toThrow(RangeError);
	});
});

describe('downscaleSteps', () => {
	it('halves while the picture is more than twice too big, then hits the target', () => {
		expect(downscaleSteps({ width: 8000, height: 6000 }, { width: 2048, height: 1536 })).toEqual([
			{ width: 4000, height: 3000 },
			{ width: 2048, height: 1536 }
		]);
		expect(downscaleSteps({ width: 9000, height: 6000 }, { width: 2048, height: 1365 })).toEqual([
			{ width: 4500, height: 3000 },
			{ width: 2250, height: 1500 },
			{ width: 2048, height: 1365 }
		]);
	});

	it('draws once when less than half is lost, or exactly half', () => {
		expect(downscaleSteps({ width: 3000, height: 2000 }, { width: 2048, height: 1365 })).toEqual([
			{ width: 2048, height: 1365 }
		]);
		expect(downscaleSteps({ width: 4096, height: 4096 }, { width: 2048, height: 2048 })).toEqual([
			{ width: 2048, height: 2048 }
		]);
	});

	it('has no step when nothing changes size', () => {
		expect(downscaleSteps({ width: 640, height: 480 }, { width: 640, height: 480 })).toEqual([]);
	});
});
