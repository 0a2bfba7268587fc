/**
 * Asks the browser to keep the vault's storage: Safari otherwise evicts a site's data after
 * seven days unused, and every browser may evict under storage pressure.
 */
export interface StorageStatus {
	persisted: boolean | undefined;
	usageBytes: number | undefined;
	quotaBytes: number | undefined;
}

export async function requestPersistentStorage(): Promise<boolean | undefined> {
	if (!navigator.storage?.persist) return undefined;
	if (await navigator.storage.persisted()) return true;
	return navigator.storage.persist();
}

export async function readStorageStatus(): Promise<StorageStatus> {
	const storage = navigator.storage;
	const persisted = storage?.persisted ? await storage.persisted() : undefined;
	const estimate = storage?.estimate ? await storage.estimate() : undefined;
	return { persisted, usageBytes: estimate?.usage, quotaBytes: estimate?.quota };
}

export function formatBytes(bytes: number, locale: string): string {
	const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return new Intl.NumberFormat(locale, {
		style: 'unit',
		unit: units[unit],
		unitDisplay: 'short',
		maximumFractionDigits: value < 10 && unit > 0 ? 1 : 0
	}).format(value);
}
