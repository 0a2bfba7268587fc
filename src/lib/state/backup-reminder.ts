/** When the home screen reminds the person to save a backup file (BackupReminder.svelte). */
export const REMINDER_AFTER_MS = 30 * 86_400_000;

/**
 * Papers in the vault, no other device holding them, and no backup saved from this device in
 * the last 30 days (or ever: 'never', worded apart). A second device is a copy already; a backup
 * saved on another device is not counted, since it is that device's time that is stored.
 */
export function backupReminder(options: {
	hasPapers: boolean;
	otherDevices: number;
	lastSavedAt: number | undefined;
	now: number;
}): 'never' | 'old' | undefined {
	if (!options.hasPapers || options.otherDevices > 0) return undefined;
	if (options.lastSavedAt === undefined) return 'never';
	return options.now - options.lastSavedAt > REMINDER_AFTER_MS ? 'old' : undefined;
}
