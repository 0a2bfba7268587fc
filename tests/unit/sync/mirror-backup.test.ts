import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import {
	closeAll,
	conflictTexts,
	createDevice,
	deleteRecord,
	exchange,
	openText,
	saveText,
	storedTexts,
	type Device
} from './devices';

const opened: Device[] = [];
async function device(name: string): Promise<Device> {
	const created = await createDevice(name);
	opened.push(created);
	return created;
}

afterEach(async () => {
	await closeAll(...opened.splice(0));
});

describe('merging rows of a backup into the mirror (addVersions)', () => {
	it('adds missing rows, keeps both versions where they differ, leaves identical ones', async () => {
		const a = await device('a');
		const same = await saveText(a, 'same', 'unchanged since the backup');
		const before = await saveText(a, 'edited', 'as in the backup');
		const deleted = await saveText(a, 'deleted', 'deleted since the backup');
		const backup = [same, before, deleted].map((row) => ({ table: 'records' as const, row }));

		await saveText(a, 'edited', 'edited since the backup');
		await deleteRecord(a, 'deleted');
		await a.mirror.settled();

		const counts = await a.mirror.addVersions(backup);
		expect(counts).toEqual({ added: 1, conflicts: 1, same: 1 });
		// The store keeps what it had during the conflict, and gets back what it lacked.
		expect(await storedTexts(a)).toEqual({
			same: 'unchanged since the backup',
			edited: 'edited since the backup',
			deleted: 'deleted since the backup'
		});
		expect(conflictTexts(a)).toEqual({
			edited: ['as in the backup', 'edited since the backup'].sort()
		});

		// Merging the same file again adds nothing new.
		expect(await a.mirror.addVersions(backup)).toEqual({ added: 0, conflicts: 0, same: 3 });

		// The conflict reaches the other devices and is resolved like any other.
		const b = await device('b');
		await exchange(a, b);
		expect(conflictTexts(b)).toEqual(conflictTexts(a));
		const [conflict] = b.mirror.listConflicts();
		const chosen = conflict.versions.find((row) => openText(row) === 'as in the backup')!;
		await b.mirror.resolveConflict({ table: 'records', id: 'edited', chosen });
		await exchange(a, b);
		expect(a.mirror.listConflicts()).toEqual([]);
		expect((await storedTexts(a)).edited).toBe('as in the backup');
	});
});
