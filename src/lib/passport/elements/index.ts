/**
 * Element fields and rules: pure TypeScript, no DOM, so the editors, the consent screen, the vault
 * and the service kit's tests all share one definition.
 */
export * from './errors.js';
export * from './dates.js';
export * from './countries.js';
export * from './fields.js';
export * from './rules.js';
export * from './phone.js';
export * from './email.js';
export * from './scans.js';
export * from './validate.js';
export * from './completeness.js';
export * from './expiry.js';
export * from './summary.js';
