// MRZ from a photo (issue 13): generated passport (TD3) and ID card (TD1) photos with phone-like
// damage (tests/fixtures/mrz/make-mrz-photos.js: JPEG q60, blur, ±5° rotation, perspective,
// uneven light, a background), each read by the built MRZ worker (band, Tesseract, cells,
// stems) in Chromium, its text read by the wallet's readMrz and compared field by field with
// what the true lines give. Bytes on first use are counted by a proxy in front of the wallet
// (the worker and Tesseract's own worker fetch them, out of the page's sight).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { median, ms } from './stats.js';
import { pageWithBundle } from './wallet.js';

const OUT = 'test-reports/mrz-photos';
const TD3 = 100;
const TD1 = 50;
const SEED = 13;
const OCR_B = '/usr/share/fonts/opentype/ocr-b/OCRB.otf';

function photos() {
	const truthFile = join(OUT, 'truth.json');
	if (existsSync(truthFile)) {
		const truth = JSON.parse(readFileSync(truthFile, 'utf8'));
		const count = (format) => truth.filter((entry) => entry.format === format).length;
		if (count('TD3') === TD3 && count('TD1') === TD1) return truth;
	}
	console.log(`Generating ${TD3} TD3 and ${TD1} TD1 photos into ${OUT}…`);
	execFileSync(
		'node',
		[
			'tests/fixtures/mrz/make-mrz-photos.js',
			'--out',
			OUT,
			'--td3',
			String(TD3),
			'--td1',
			String(TD1),
			'--seed',
			String(SEED)
		],
		{ stdio: 'inherit' }
	);
	return JSON.parse(readFileSync(truthFile, 'utf8'));
}

/** A pass-through proxy to the wallet that counts the bytes of each path it serves. */
async function countingProxy(walletUrl) {
	const target = new URL(walletUrl);
	const bytes = new Map();
	const server = createServer((incoming, outgoing) => {
		const forward = request(
			{
				host: target.hostname,
				port: target.port,
				path: incoming.url,
				method: incoming.method,
				headers: incoming.headers
			},
			(answer) => {
				outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.on('data', (chunk) => {
					const path = new URL(incoming.url ?? '/', walletUrl).pathname;
					bytes.set(path, (bytes.get(path) ?? 0) + chunk.length);
				});
				answer.pipe(outgoing);
			}
		);
		incoming.pipe(forward);
	});
	await new Promise((resolve) => server.listen(0, 'localhost', resolve));
	return { url: `http://localhost:${server.address().port}`, bytes, close: () => server.close() };
}

export async function run({ browser, walletUrl }) {
	if (!existsSync(OCR_B) || !existsSync('/usr/bin/convert')) {
		return [
			{
				figure: 'mrz: photos read',
				value: 'not measured',
				anchor: 'needs Debian imagemagick and fonts-ocr-b for the generated photos'
			}
		];
	}
	const truth = photos();
	const workers = readdirSync('build/_app/immutable/workers').filter((name) =>
		name.startsWith('mrz-ocr.worker-')
	);
	if (workers.length !== 1) throw new Error(`expected one built MRZ worker, found ${workers}`);
	const proxy = await countingProxy(walletUrl);
	const { context, page, cleanup } = await pageWithBundle({
		browser,
		walletUrl: proxy.url,
		entry: 'bench/mrz-entry.ts',
		name: 'benchMrz'
	});
	try {
		proxy.bytes.clear();
		await page.evaluate((path) => {
			const worker = new Worker(path, { type: 'module' });
			const waiting = new Map();
			worker.onmessage = (event) => waiting.get(event.data.id)?.(event.data);
			let next = 1;
			globalThis.readPhoto = (base64) =>
				new Promise((resolve) => {
					const id = next++;
					waiting.set(id, resolve);
					const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
					worker.postMessage({ id, photo: new Blob([bytes], { type: 'image/jpeg' }) });
				});
		}, `/_app/immutable/workers/${workers[0]}`);

		const results = [];
		let firstUseBytes = 0;
		let firstUseFiles = 0;
		for (const [index, entry] of truth.entries()) {
			const base64 = readFileSync(join(OUT, entry.file)).toString('base64');
			const started = Date.now();
			const reply = await page.evaluate((base64) => globalThis.readPhoto(base64), base64);
			const wall = Date.now() - started;
			if (index === 0) {
				for (const [path, size] of proxy.bytes) {
					if (path.startsWith('/ocr/') || path.startsWith('/_app/immutable/workers/')) {
						firstUseBytes += size;
						firstUseFiles++;
					}
				}
			}
			const score = reply.ok
				? await page.evaluate(({ read, lines }) => globalThis.benchMrz.score(read, lines), {
						read: reply.text,
						lines: entry.lines.join('\n')
					})
				: {
						parsed: false,
						allCorrect: false,
						wrongButValid: [],
						wrongUnasked: [],
						flagged: 0,
						wrong: ['all']
					};
			results.push({ ...entry, reply, wall, score });
		}

		// Each photo's reading, for looking into a figure.
		writeFileSync(
			'test-reports/mrz-bench.json',
			JSON.stringify(
				results.map(({ file, lines, reply, score }) => ({ file, lines, reply, score })),
				null,
				'\t'
			)
		);
		const rows = [];
		for (const format of ['TD3', 'TD1']) {
			const list = results.filter((result) => result.format === format);
			const correct = list.filter((result) => result.score.allCorrect).length;
			const parsed = list.filter((result) => result.score.parsed).length;
			const wrongButValid = list.flatMap((result) =>
				result.score.wrongButValid.map((key) => `${result.file}:${key}`)
			);
			const noBand = list.filter((result) => !result.reply.ok).length;
			const unasked = list.flatMap((result) =>
				result.score.wrongUnasked.map((key) => `${result.file}:${key}`)
			);
			const allPass = list.filter(
				(result) => result.score.parsed && result.score.flagged === 0
			).length;
			rows.push({
				figure: `mrz: ${format} photos read fully correct`,
				value: `${correct} / ${list.length}`,
				anchor: `${parsed} parsed as an MRZ, ${noBand} not found or unreadable; ${allPass} with nothing flagged`
			});
			rows.push({
				figure: `mrz: ${format} fields wrong with a passing check digit`,
				value: String(wrongButValid.length),
				anchor: `goal 0${wrongButValid.length ? `: ${wrongButValid.slice(0, 6).join(', ')}` : ''}`
			});
			rows.push({
				figure: `mrz: ${format} wrong fields filled or ticked without asking`,
				value: String(unasked.length),
				anchor: `check passed or none to check (names, gender, nationality)${unasked.length ? `: ${unasked.slice(0, 6).join(', ')}` : ''}`
			});
		}
		const fields = results.flatMap((result) => result.score.wrong);
		const byField = {};
		for (const key of fields) byField[key] = (byField[key] ?? 0) + 1;
		rows.push({
			figure: 'mrz: wrong fields by name (all photos)',
			value: String(fields.length),
			anchor: Object.entries(byField)
				.map(([key, count]) => `${key} ${count}`)
				.join(', ')
		});
		const cached = results.slice(1).map((result) => result.reply.readMs ?? result.wall);
		rows.push({
			figure: 'mrz: time per photo, engine started (median, max)',
			value: ms(median(cached)),
			anchor: `max ${ms(Math.max(...cached))}; goal ≤ 3 s; decode, band, OCR, cells in the worker`
		});
		rows.push({
			figure: 'mrz: first use (engine start + first photo)',
			value: ms(results[0].wall),
			anchor: `engine start ${ms(results[0].reply.startMs ?? 0)}`
		});
		rows.push({
			figure: 'mrz: bytes loaded on first use',
			value: `${(firstUseBytes / 1024 / 1024).toFixed(2)} MiB`,
			anchor: `${firstUseFiles} files (worker, Tesseract, wasm core, eng model), uncompressed`
		});
		return rows;
	} finally {
		await context.close();
		cleanup();
		proxy.close();
	}
}
