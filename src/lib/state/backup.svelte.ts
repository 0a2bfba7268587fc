/**
 * Backup files as the app uses them: saving one (a download), restoring one on a device with no
 * vault, merging one into the unlocked vault, and the home screen's reminder. The file format
 * and its checks are in $lib/vault/backup-format.ts and backup.ts, loaded on demand.
 *
 * The time of the last backup is kept per device, in localStorage, never synced: a backup saved
 * on another device does not protect this one's papers from this one's loss, and erasing the
 * device clears it with the other 'papiers.' settings.
 */
import { m } from '$lib/paraglide/messages.js';
import { session } from './session.svelte';
import { sync } from './sync.svelte';

export { backupReminder } from './backup-reminder';

const LAST_BACKUP_KEY = 'papiers.backup.lastSavedAt';

const loadBackup = () => import('$lib/vault/backup');

class BackupState {
	#lastSavedAt = $state<number | undefined>(readLastSaved());

	/** When a backup file was last saved from this device (Unix ms), if ever. */
	get lastSavedAt(): number | undefined {
		return this.#lastSavedAt;
	}

	/** Builds the backup of the unlocked vault and hands it to the browser as a download. */
	async save(): Promise<{ fileName: string; records: number; scans: number }> {
		const { saveBackup } = await loadBackup();
		const saved = await saveBackup({ vault: session.vault });
		const url = URL.createObjectURL(saved.blob);
		try {
			const link = document.createElement('a');
			link.href = url;
			link.download = saved.fileName;
			link.rel = 'noopener';
			document.body.append(link);
			link.click();
			link.remove();
		} finally {
			// The download has taken its own reference to the Blob by now; a minute is generous.
			setTimeout(() => URL.revokeObjectURL(url), 60_000);
		}
		const now = Date.now();
		try {
			localStorage.setItem(LAST_BACKUP_KEY, String(now));
		} catch {
			// Storage full or refused: the reminder simply stays.
		}
		this.#lastSavedAt = now;
		return { fileName: saved.fileName, ...saved.counts };
	}

	/**
	 * Restores a file on this device, which has no vault, then opens it with the same password.
	 * Rejects with the errors backupErrorMessage() words; nothing is written then.
	 */
	async restore(file: File, password: string): Promise<void> {
		const [{ restoreBackup }, { deriveInWorker }, db] = await Promise.all([
			loadBackup(),
			import('$lib/vault/kdf-client'),
			session.db()
		]);
		await restoreBackup({ db, file, password, deriveKey: deriveInWorker });
		await session.load();
		await session.unlock(password);
	}

	/** Merges a backup of this vault into it: differing rows become sync conflicts. */
	async merge(file: File, password: string) {
		if (sync.phase !== 'on') throw new SyncNotRunningError();
		const [{ mergeBackup }, { deriveInWorker }] = await Promise.all([
			loadBackup(),
			import('$lib/vault/kdf-client')
		]);
		const vault = session.vault;
		return mergeBackup({
			file,
			password,
			deriveKey: deriveInWorker,
			target: {
				recordId: (key) => vault.recordId(key),
				addVersions: (batch) => sync.addVersions(batch)
			}
		});
	}
}

export class SyncNotRunningError extends Error {
	constructor() {
		super('Sync is not running');
		this.name = 'SyncNotRunningError';
	}
}

function readLastSaved(): number | undefined {
	try {
		const value = Number(globalThis.localStorage?.getItem(LAST_BACKUP_KEY));
		return Number.isFinite(value) && value > 0 ? value : undefined;
	} catch {
		return undefined;
	}
}

export const backup = new BackupState();

/** The person's words for why a restore or merge was refused (always: nothing was changed). */
export async function backupErrorMessage(error: unknown): Promise<string> {
	const [{ BackupDamagedError, BackupTooNewError }, { BackupOtherVaultError }, headers, types] =
		await Promise.all([
			import('$lib/vault/backup-format'),
			loadBackup(),
			import('$lib/vault/import-header'),
			import('$lib/vault/types')
		]);
	if (error instanceof types.WrongPasswordError) return m.backup_err_wrong_password();
	if (error instanceof BackupTooNewError) return m.backup_err_too_new();
	if (error instanceof headers.WeakHeaderError) return m.backup_err_weak();
	if (error instanceof BackupDamagedError) return m.backup_err_damaged();
	if (error instanceof headers.VaultExistsError) return m.backup_err_exists();
	if (error instanceof BackupOtherVaultError) return m.backup_err_other_vault();
	if (error instanceof SyncNotRunningError) return m.backup_err_sync_off();
	// A file the browser cannot read any more (moved, changed on disk since it was picked).
	if (error instanceof DOMException && error.name === 'NotReadableError') {
		return m.backup_err_damaged();
	}
	return m.err_generic({ message: error instanceof Error ? error.message : String(error) });
}
