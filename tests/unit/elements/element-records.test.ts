import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/vault/db';
import { createVault, type UnlockedVault } from '$lib/vault/vault';
import {
	deleteElement,
	listElements,
	saveElement,
	scanIdsOf,
	type ElementVault,
	type NewScan
} from '$lib/state/element-records';
import type { StoredElement } from '$lib/passport/types';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const newVault = () =>
	createVault({ password: 'pw', vault: { db: openDatabase(`t-${crypto.randomUUID()}`), kdf } });

const jpeg = (marker: number): NewScan => ({
	bytes: Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, marker, marker, marker),
	width: 2048,
	height: 1536,
	date: 1_700_000_000
});

const passportData = { document_no: 'X1234567', expiry_date: '01.02.2031' };

async function scanRowCount(vault: UnlockedVault): Promise<number> {
	return vault.db.scans.count();
}

describe('saveElement', () => {
	it('stores new scans, then the element that references them', async () => {
		const vault = await newVault();
		const saved = await saveElement(
			vault,
			{
				type: 'passport',
				data: passportData,
				front_side: jpeg(1),
				translation: [jpeg(2), jpeg(3)]
			},
			undefined,
			42
		);
		expect(saved).toMatchObject({ type: 'passport', data: passportData, updatedAt: 42 });
		expect(saved.front_side).toEqual({
			id: expect.any(String),
			size: 7,
			date: 1_700_000_000,
			width: 2048,
			height: 1536
		});
		expect(saved.translation).toHaveLength(2);
		expect(await scanRowCount(vault)).toBe(3);
		expect(await vault.getScan(saved.translation![1].id)).toEqual(jpeg(3).bytes);

		const { elements, problems } = await listElements(vault);
		expect(problems).toEqual([]);
		expect(elements.get('passport')).toEqual(saved);
	});

	it('keeps the scans still referenced and deletes the ones replaced or removed', async () => {
		const vault = await newVault();
		const first = await saveElement(
			vault,
			{ type: 'utility_bill', files: [jpeg(1), jpeg(2), jpeg(3)] },
			undefined
		);
		const [a, b, c] = first.files!;
		const second = await saveElement(
			vault,
			{ type: 'utility_bill', files: [c, jpeg(4), a] },
			first
		);
		expect(second.files!.map((ref) => ref.id)).toEqual([c.id, expect.any(String), a.id]);
		expect(await vault.getScan(b.id)).toBeUndefined();
		expect(await scanRowCount(vault)).toBe(3);
		expect((await listElements(vault)).elements.get('utility_bill')).toEqual(second);
	});

	it('leaves the old element whole and removes its new scans when the final write fails', async () => {
		const vault = await newVault();
		const before = await saveElement(
			vault,
			{ type: 'identity_card', data: passportData, front_side: jpeg(1), reverse_side: jpeg(2) },
			undefined
		);
		const failing: ElementVault = {
			list: (prefix) => vault.list(prefix),
			putScan: (bytes) => vault.putScan(bytes),
			deleteScan: (id) => vault.deleteScan(id),
			saveAtomically: async () => {
				throw new Error('QuotaExceededError');
			}
		};
		await expect(
			saveElement(
				failing,
				{ type: 'identity_card', data: passportData, front_side: jpeg(3), reverse_side: jpeg(4) },
				before
			)
		).rejects.toThrow('QuotaExceededError');
		expect((await listElements(vault)).elements.get('identity_card')).toEqual(before);
		expect(await scanRowCount(vault)).toBe(2);
		for (const id of scanIdsOf(before)) expect(await vault.getScan(id)).toBeDefined();
	});

	it('after a tab killed between the scans and the element, the old element still opens', async () => {
		const vault = await newVault();
		const before = await saveElement(
			vault,
			{ type: 'driver_license', data: passportData, front_side: jpeg(1), reverse_side: jpeg(2) },
			undefined
		);
		// The tab dies once the new scans are stored: saveAtomically never runs.
		const killed: ElementVault = {
			list: (prefix) => vault.list(prefix),
			putScan: (bytes) => vault.putScan(bytes),
			deleteScan: () => new Promise(() => {}),
			saveAtomically: () => new Promise(() => {})
		};
		void saveElement(killed, { type: 'driver_license', front_side: jpeg(5) }, before);
		await new Promise((resolve) => setTimeout(resolve, 50));
		const after = (await listElements(vault)).elements.get('driver_license');
		expect(after).toEqual(before);
		for (const id of scanIdsOf(after)) expect(await vault.getScan(id)).toBeDefined();
		// One orphan at most: the scan stored just before the kill.
		expect(await scanRowCount(vault)).toBe(3);
	});

	it('refuses to save one type over another', async () => {
		const vault = await newVault();
		const email: StoredElement = { type: 'email', email: 'a@b.example', updatedAt: 1 };
		await expect(saveElement(vault, { type: 'phone_number' }, email)).rejects.toThrow();
	});
});

describe('deleteElement', () => {
	it('removes the record and every scan it references, and only those', async () => {
		const vault = await newVault();
		const bill = await saveElement(vault, { type: 'bank_statement', files: [jpeg(1)] }, undefined);
		const passport = await saveElement(
			vault,
			{ type: 'passport', data: passportData, front_side: jpeg(2), selfie: jpeg(3) },
			undefined
		);
		await deleteElement(vault, passport);
		const { elements } = await listElements(vault);
		expect([...elements.keys()]).toEqual(['bank_statement']);
		expect(await scanRowCount(vault)).toBe(1);
		expect(await vault.getScan(bill.files![0].id)).toBeDefined();
	});
});

describe('listElements', () => {
	it('flags damaged and malformed records apart and deletes none of them', async () => {
		const vault = await newVault();
		await saveElement(vault, { type: 'email', email: 'kept@example.org' }, undefined);
		await vault.put('element:phone_number', { type: 'email', email: 'wrong slot' });
		await vault.put('element:spaceship', { type: 'spaceship' });
		await vault.put('element:passport', { type: 'passport', front_side: { id: 7 } });
		await vault.put('history:1', { at: 1 });
		await vault.put('element:address', { type: 'address', data: {} });
		const damagedId = vault.recordId('element:address');
		const row = (await vault.db.records.get(damagedId))!;
		row.ct[row.ct.length - 1] ^= 1;
		await vault.db.records.put(row);

		const rowsBefore = await vault.db.records.count();
		const { elements, problems } = await listElements(vault);
		expect([...elements.keys()]).toEqual(['email']);
		expect(problems.map((problem) => problem.id).sort()).toEqual(
			[damagedId, 'element:passport', 'element:phone_number', 'element:spaceship'].sort()
		);
		expect(await vault.db.records.count()).toBe(rowsBefore);
	});
});

describe('changedSince', () => {
	it('tells when the stored element is not the one the editor started from', async () => {
		const { changedSince } = await import('$lib/state/element-records');
		const opened = { type: 'email' as const, email: 'a@example.org', updatedAt: 1 };
		const elsewhere = { ...opened, email: 'b@example.org', updatedAt: 2 };
		expect(changedSince(opened, opened)).toBe(false);
		expect(changedSince(elsewhere, opened)).toBe(true);
		expect(changedSince(elsewhere, undefined)).toBe(true); // created elsewhere meanwhile
		expect(changedSince(undefined, opened)).toBe(false); // deleted elsewhere: the edit wins
	});
});
