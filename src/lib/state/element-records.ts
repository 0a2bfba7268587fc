/**
 * Reading and writing elements in the vault, without Svelte, so the rules that keep a save atomic
 * are tested in Node against a real vault (tests/unit/elements/element-records.test.ts).
 *
 * A save stores each new scan in its own row first, then writes the element record and deletes
 * the scans it no longer references in ONE transaction. A tab killed in between leaves the old
 * element whole (and, at worst, a sealed scan nobody references); it never leaves an element
 * pointing at a scan that is not there.
 */
import {
	elementRecordKey,
	isElementType,
	type ElementType,
	type ScanRef,
	type StoredElement
} from '$lib/passport/types';
import type { RecordListing, UnreadableRecord } from '$lib/vault/types';

/** A scan captured in this editing session and not stored yet: plain JPEG bytes in memory. */
export interface NewScan {
	bytes: Uint8Array;
	width: number;
	height: number;
	/** Unix seconds when it was taken or chosen. */
	date: number;
}

/** What an editor hands over for each scan: one already stored, or a new one. */
export type ScanInput = ScanRef | NewScan;

export function isNewScan(scan: ScanInput): scan is NewScan {
	return 'bytes' in scan;
}

/** An element as an editor submits it; its values already validated and normalised. */
export interface ElementInput {
	type: ElementType;
	data?: StoredElement['data'];
	phone_number?: string;
	email?: string;
	front_side?: ScanInput;
	reverse_side?: ScanInput;
	selfie?: ScanInput;
	translation?: ScanInput[];
	files?: ScanInput[];
}

/** The part of the vault a save needs; UnlockedVault has it all. */
export interface ElementVault {
	list<T>(prefix: string): Promise<RecordListing<T>>;
	putScan(bytes: Uint8Array): Promise<string>;
	deleteScan(id: string): Promise<void>;
	saveAtomically(options: {
		put?: { key: string; value: unknown }[];
		deleteKeys?: string[];
		deleteScans?: string[];
	}): Promise<void>;
}

/** A record the home screen must flag: one that does not decrypt, or decrypts to no element. */
export type ProblemRecord = UnreadableRecord;

export interface ElementListing {
	elements: Map<ElementType, StoredElement>;
	problems: ProblemRecord[];
}

const ELEMENT_PREFIX = 'element:';

function isScanRef(value: unknown): value is ScanRef {
	const ref = value as ScanRef;
	return (
		typeof ref === 'object' &&
		ref !== null &&
		typeof ref.id === 'string' &&
		ref.id !== '' &&
		typeof ref.size === 'number' &&
		typeof ref.width === 'number' &&
		typeof ref.height === 'number'
	);
}

/**
 * Checks the shape of a decrypted element: it may come from another version of the app on
 * another device. Scan slots must hold scan references; values are checked by the editor's rules.
 */
function readElement(key: string, value: unknown): StoredElement | string {
	const type = key.slice(ELEMENT_PREFIX.length);
	if (!isElementType(type)) return `Unknown element type ${JSON.stringify(type)}`;
	const element = value as StoredElement;
	if (typeof element !== 'object' || element === null || element.type !== type) {
		return `The record under ${key} is not a ${type} element`;
	}
	for (const slot of ['front_side', 'reverse_side', 'selfie'] as const) {
		if (element[slot] !== undefined && !isScanRef(element[slot])) return `Bad ${slot} in ${key}`;
	}
	for (const list of ['translation', 'files'] as const) {
		const refs = element[list];
		if (refs !== undefined && !(Array.isArray(refs) && refs.every(isScanRef))) {
			return `Bad ${list} in ${key}`;
		}
	}
	return element;
}

/** Sorts a vault listing into elements and records to flag; nothing is ever dropped silently. */
export function readElementListing(listing: RecordListing<unknown>): ElementListing {
	const elements = new Map<ElementType, StoredElement>();
	const problems: ProblemRecord[] = [...listing.unreadable];
	for (const { key, value } of listing.records) {
		if (!key.startsWith(ELEMENT_PREFIX)) continue;
		const element = readElement(key, value);
		if (typeof element === 'string') problems.push({ id: key, reason: element });
		else elements.set(element.type, element);
	}
	return { elements, problems };
}

export async function listElements(vault: ElementVault): Promise<ElementListing> {
	return readElementListing(await vault.list<unknown>(ELEMENT_PREFIX));
}

/** Every scan id an element references. */
export function scanIdsOf(element: StoredElement | undefined): string[] {
	if (!element) return [];
	const refs = [
		element.front_side,
		element.reverse_side,
		element.selfie,
		...(element.translation ?? []),
		...(element.files ?? [])
	];
	return refs.filter((ref): ref is ScanRef => ref !== undefined).map((ref) => ref.id);
}

/**
 * Saves `input` in place of `previous` (the element as the editor loaded it, or undefined for a
 * new one) and returns what was stored. New scans are sealed one by one before the element's
 * transaction; if that transaction fails they are removed again, best effort.
 */
/**
 * The element was saved elsewhere (another device through sync, or another tab) after the editor
 * opened it. Saving over it would silently drop that edit, so the person chooses instead.
 */
export class ChangedElsewhereError extends Error {
	constructor(readonly current: StoredElement) {
		super(`${current.type} was changed elsewhere while it was being edited`);
		this.name = 'ChangedElsewhereError';
	}
}

/** Whether `current` (what is stored now) is not what the editor started from (`previous`). */
export function changedSince(
	current: StoredElement | undefined,
	previous: StoredElement | undefined
): boolean {
	if (!current) return false; // deleted meanwhile: saving the edit keeps it (edit beats delete)
	return !previous || current.updatedAt !== previous.updatedAt;
}

export async function saveElement(
	vault: ElementVault,
	input: ElementInput,
	previous: StoredElement | undefined,
	now = Date.now()
): Promise<StoredElement> {
	if (previous && previous.type !== input.type) {
		throw new Error(`Cannot save a ${input.type} over a ${previous.type}`);
	}
	const storedNow: string[] = [];
	const store = async (scan: ScanInput): Promise<ScanRef> => {
		if (!isNewScan(scan)) return scan;
		const id = await vault.putScan(scan.bytes);
		storedNow.push(id);
		return { id, size: scan.bytes.length, date: scan.date, width: scan.width, height: scan.height };
	};

	try {
		const element: StoredElement = { type: input.type, updatedAt: now };
		if (input.data !== undefined) element.data = input.data;
		if (input.phone_number !== undefined) element.phone_number = input.phone_number;
		if (input.email !== undefined) element.email = input.email;
		// One at a time: each putScan is its own transaction, and a 20-scan bill stays gentle on memory.
		for (const slot of ['front_side', 'reverse_side', 'selfie'] as const) {
			const scan = input[slot];
			if (scan) element[slot] = await store(scan);
		}
		for (const list of ['translation', 'files'] as const) {
			const scans = input[list];
			if (!scans?.length) continue;
			const refs: ScanRef[] = [];
			for (const scan of scans) refs.push(await store(scan));
			element[list] = refs;
		}

		const kept = new Set(scanIdsOf(element));
		await vault.saveAtomically({
			put: [{ key: elementRecordKey(input.type), value: element }],
			deleteScans: scanIdsOf(previous).filter((id) => !kept.has(id))
		});
		return element;
	} catch (error) {
		// The old element still stands and references none of these.
		await Promise.allSettled(storedNow.map((id) => vault.deleteScan(id)));
		throw error;
	}
}

/** Deletes the element record and all its scans in one transaction. */
export async function deleteElement(vault: ElementVault, element: StoredElement): Promise<void> {
	await vault.saveAtomically({
		deleteKeys: [elementRecordKey(element.type)],
		deleteScans: scanIdsOf(element)
	});
}
