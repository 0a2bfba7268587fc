// The OCR engine's files the wallet serves itself (issue 13): Tesseract's worker script, its
// WebAssembly cores (the browser picks one by its SIMD support, so all three LSTM-only builds are
// served) and the English LSTM model, copied from node_modules into static/ at build and dev
// start. The folder is named after the packages' versions, so an upgrade is a new URL and the
// service worker's copy of the old one is never served for the new one.
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	readFileSync,
	readdirSync,
	rmSync,
	statSync
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');

function version(name) {
	return JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')).version;
}

const FILES = [
	['tesseract.js/dist/worker.min.js', 'worker.min.js'],
	[
		'tesseract.js-core/tesseract-core-relaxedsimd-lstm.wasm.js',
		'tesseract-core-relaxedsimd-lstm.wasm.js'
	],
	['tesseract.js-core/tesseract-core-simd-lstm.wasm.js', 'tesseract-core-simd-lstm.wasm.js'],
	['tesseract.js-core/tesseract-core-lstm.wasm.js', 'tesseract-core-lstm.wasm.js'],
	// best_int: the integer LSTM model, 2.9 MB gzipped against 11 MB for the legacy+LSTM one.
	['@tesseract.js-data/eng/4.0.0_best_int/eng.traineddata.gz', 'eng.traineddata.gz']
];

/** The URL path of the folder, e.g. `/ocr/7.0.0-7.0.0-1.0.0/`. */
export function ocrDirectory() {
	const versions = ['tesseract.js', 'tesseract.js-core', '@tesseract.js-data/eng'].map(version);
	return `/ocr/${versions.join('-')}/`;
}

/** Copies the files into static/ocr/<versions>/, dropping folders of other versions. */
export function copyOcrAssets() {
	const directory = ocrDirectory();
	const parent = join(root, 'static', 'ocr');
	const target = join(root, 'static', directory);
	if (existsSync(parent)) {
		for (const entry of readdirSync(parent)) {
			if (`/ocr/${entry}/` !== directory) rmSync(join(parent, entry), { recursive: true });
		}
	}
	mkdirSync(target, { recursive: true });
	for (const [from, to] of FILES) {
		const source = join(modules, from);
		const copy = join(target, to);
		// Left alone when already there: a fresh mtime would make the build look stale to
		// scripts/ensure-ready.js (the folder's name already changes with the versions).
		if (existsSync(copy) && statSync(copy).size === statSync(source).size) continue;
		copyFileSync(source, copy);
	}
	return directory;
}
