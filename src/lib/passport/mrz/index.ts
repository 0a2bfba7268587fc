/**
 * Machine-readable zones (ICAO 9303) to element proposals: pure TypeScript, loaded on demand by
 * the ID document editor so the parser and its state table stay off the first page load.
 */
export * from './nationality.js';
export * from './years.js';
export * from './proposals.js';
export * from './lookalikes.js';
