/**
 * Service-reported errors (PROTOCOL.md 5): match Bot API PassportElementError objects against the
 * hashes the wallet sent before (consent history), to mark the field or scan with the service's
 * message; and tell when the person has changed that part, which is when the flag clears
 * (the Bot API's "resolved when…" rule for each error type, as Telegram's Android client applies it).
 * Errors quoting hashes the wallet never sent are returned apart: Telegram ignores them too.
 */

import { elementHashOfValue, fieldDigest } from './element-hash';
import type { PassportElementError, PassportElementErrorSource } from './element-errors';
import type { ScanPartName } from './passport-data';
import type { SentElement, SentFile } from './sent-element';
import type { ElementType, ScanRef, StoredElement } from './types';

/** One flagged part of one element. */
export interface ElementFlag {
	type: ElementType;
	source: PassportElementErrorSource;
	/** The service's own words, shown as its claim. */
	message: string;
	/** 'data' for a field, a scan part, or 'element' for the whole element (unspecified). */
	part: 'data' | ScanPartName | 'element';
	/** The flagged data field, for part 'data'. */
	field?: string;
	/** The flagged scans, for scan parts (one, or the whole list for files/translation_files). */
	scanIds: string[];
	/** For list errors (`files`, `translation_files`): the list as sent, to see it change. */
	listScanIds?: string[];
	/** The submission record the error points into. */
	sent: SentElement;
}

export interface ErrorMatch {
	flags: ElementFlag[];
	/** Errors whose hashes match nothing the wallet sent. */
	unmatched: PassportElementError[];
}

const FILE_PART: Partial<Record<PassportElementErrorSource, ScanPartName>> = {
	front_side: 'front_side',
	reverse_side: 'reverse_side',
	selfie: 'selfie',
	file: 'files',
	translation_file: 'translation',
	files: 'files',
	translation_files: 'translation'
};

function filesOf(sent: SentElement, part: ScanPartName): SentFile[] {
	return sent.files.filter((file) => file.part === part).sort((a, b) => a.index - b.index);
}

function matchOne(
	error: PassportElementError,
	history: readonly SentElement[]
): ElementFlag | undefined {
	const candidates = history.filter((sent) => sent.type === error.type);
	const base = { type: error.type, source: error.source, message: error.message };
	switch (error.source) {
		case 'data': {
			const sent = candidates.find((candidate) => candidate.dataHash === error.data_hash);
			if (!sent || !sent.fieldDigests || !Object.hasOwn(sent.fieldDigests, error.field_name)) {
				return undefined;
			}
			return { ...base, part: 'data', field: error.field_name, scanIds: [], sent };
		}
		case 'unspecified': {
			const sent = candidates.find((candidate) => candidate.elementHash === error.element_hash);
			return sent ? { ...base, part: 'element', scanIds: [], sent } : undefined;
		}
		case 'files':
		case 'translation_files': {
			const part = FILE_PART[error.source]!;
			for (const sent of candidates) {
				const files = filesOf(sent, part);
				const flagged = error.file_hashes.map((hash) =>
					files.find((file) => file.fileHash === hash)
				);
				if (flagged.length > 0 && flagged.every((file) => file !== undefined)) {
					return {
						...base,
						part,
						scanIds: flagged.map((file) => file!.scanId),
						listScanIds: files.map((file) => file.scanId),
						sent
					};
				}
			}
			return undefined;
		}
		default: {
			const part = FILE_PART[error.source]!;
			for (const sent of candidates) {
				const file = filesOf(sent, part).find(
					(candidate) => candidate.fileHash === error.file_hash
				);
				if (file) return { ...base, part, scanIds: [file.scanId], sent };
			}
			return undefined;
		}
	}
}

/**
 * `history`: every element record of earlier submissions to this service (any order; hashes are
 * unique per submission, so an error can point into one record only).
 */
export function matchElementErrors(options: {
	errors: readonly PassportElementError[];
	history: readonly SentElement[];
}): ErrorMatch {
	const flags: ElementFlag[] = [];
	const unmatched: PassportElementError[] = [];
	for (const error of options.errors) {
		const flag = matchOne(error, options.history);
		if (flag) flags.push(flag);
		else unmatched.push(error);
	}
	return { flags, unmatched };
}

function scanIdsOf(element: StoredElement, part: ScanPartName): string[] {
	const value: ScanRef | ScanRef[] | undefined = element[part];
	if (value === undefined) return [];
	return Array.isArray(value) ? value.map((ref) => ref.id) : [value.id];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && a.every((id, index) => id === b[index]);
}

function currentFieldDigest(element: StoredElement, field: string): string | undefined {
	const data = element.data as unknown as Record<string, unknown> | undefined;
	const value = data?.[field];
	return typeof value === 'string' ? fieldDigest(value) : undefined;
}

/** Whether the element differs anywhere from what was sent. */
function elementChanged(element: StoredElement, sent: SentElement): boolean {
	if (element.type === 'phone_number' || element.type === 'email') {
		const value = element[element.type];
		return typeof value !== 'string' || elementHashOfValue(value) !== sent.elementHash;
	}
	for (const [field, digest] of Object.entries(sent.fieldDigests ?? {})) {
		if (currentFieldDigest(element, field) !== digest) return true;
	}
	const parts = new Set(sent.files.map((file) => file.part));
	for (const part of parts) {
		const sentIds = filesOf(sent, part).map((file) => file.scanId);
		if (!sameList(scanIdsOf(element, part), sentIds)) return true;
	}
	return false;
}

/**
 * True once the person changed what the flag points at (or removed the element): the wallet
 * refuses to authorize while any flag is unresolved.
 */
export function isFlagResolved(options: {
	flag: ElementFlag;
	element: StoredElement | undefined;
}): boolean {
	const { flag, element } = options;
	if (!element || element.type !== flag.type) return true;
	switch (flag.part) {
		case 'element':
			return elementChanged(element, flag.sent);
		case 'data': {
			const sentDigest = flag.sent.fieldDigests?.[flag.field ?? ''];
			return currentFieldDigest(element, flag.field ?? '') !== sentDigest;
		}
		default: {
			const current = scanIdsOf(element, flag.part);
			if (flag.listScanIds) return !sameList(current, flag.listScanIds);
			// A single scan: resolved when that scan is no longer where it was.
			return !flag.scanIds.every((id) => current.includes(id));
		}
	}
}
