import { describe, expect, it } from 'vitest';
import { backupReminder, REMINDER_AFTER_MS } from '$lib/state/backup-reminder';

const now = Date.UTC(2026, 11, 2);
const base = { hasPapers: true, otherDevices: 0, lastSavedAt: undefined, now };

describe('backup reminder', () => {
	it('shows with papers, no other device and no backup ever', () => {
		expect(backupReminder(base)).toBe('never');
	});
	it('shows when the last backup is more than 30 days old, not before', () => {
		expect(backupReminder({ ...base, lastSavedAt: now - REMINDER_AFTER_MS - 1 })).toBe('old');
		expect(backupReminder({ ...base, lastSavedAt: now - REMINDER_AFTER_MS })).toBeUndefined();
		expect(backupReminder({ ...base, lastSavedAt: now - 1000 })).toBeUndefined();
	});
	it('stays hidden with no papers, or when another device holds the vault', () => {
		expect(backupReminder({ ...base, hasPapers: false })).toBeUndefined();
		expect(backupReminder({ ...base, otherDevices: 1 })).toBeUndefined();
	});
});
