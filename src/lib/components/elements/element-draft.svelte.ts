/**
 * One element being edited: the values as typed, the scans (stored ones and new ones still in
 * memory), their errors under Telegram's rules, and what a save hands to the elements state.
 * Nothing here touches the vault: an invalid draft never gets near it.
 */
import { captureScan, CaptureError, type CaptureErrorCode } from '$lib/capture';
import {
	dataFields,
	emptyData,
	formatPhoneNumber,
	hasData,
	MAX_FILES,
	MAX_TRANSLATIONS,
	nativeNamesShown,
	normalizeData,
	normalizeEmail,
	parsePhoneInput,
	scanRules,
	validateData,
	validateEmail,
	type DataElementType,
	type ElementRequest,
	type FieldErrorCode,
	type ScanPart
} from '$lib/passport/elements';
import type { ElementType, ScanRef, StoredElement } from '$lib/passport/types';
import type { ElementInput, NewScan, ScanInput } from '$lib/state/element-records';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

export type Requirements = Omit<ElementRequest, 'type'>;
export type SingleScanPart = 'front_side' | 'reverse_side' | 'selfie';
export type ListScanPart = 'translation' | 'files';

/** A scan as the editor shows it: stored in the vault, or captured now and held in memory. */
export type DraftScan =
	{ key: string; ref: ScanRef } | { key: string; fresh: NewScan; url: string };

export type DraftError = FieldErrorCode | 'scan_required';

/** A file the capture pipeline refused, with why. */
export interface CaptureProblem {
	name: string;
	code: CaptureErrorCode | 'too_many';
}

export const LIST_LIMITS: Record<ListScanPart, number> = {
	translation: MAX_TRANSLATIONS,
	files: MAX_FILES
};

const SINGLE_PARTS: readonly SingleScanPart[] = ['front_side', 'reverse_side', 'selfie'];
const LIST_PARTS: readonly ListScanPart[] = ['translation', 'files'];

let nextKey = 1;
const draftKey = () => `scan-${nextKey++}`;

function storedScan(ref: ScanRef | undefined): DraftScan | undefined {
	return ref ? { key: draftKey(), ref } : undefined;
}

export class ElementDraft {
	readonly type: ElementType;
	/** The element as it was when editing began; a save replaces exactly this. */
	readonly previous: StoredElement | undefined;
	readonly requirements: Requirements;

	/** Data fields as typed (country fields hold a code, or the unmatched text). */
	values = $state<Record<string, string>>({});
	/** Date fields whose picker holds something that is not a whole date yet. */
	incompleteDates = $state<Record<string, boolean>>({});
	phone = $state('');
	phoneCountry = $state('');
	email = $state('');
	singles = $state.raw<Partial<Record<SingleScanPart, DraftScan>>>({});
	lists = $state.raw<Record<ListScanPart, DraftScan[]>>({ translation: [], files: [] });
	/** Photos being prepared, per part. */
	busy = $state<Partial<Record<ScanPart, number>>>({});
	captureProblems = $state<Partial<Record<ScanPart, CaptureProblem[]>>>({});
	/** Errors are shown once a save was attempted, and follow the input live from then on. */
	submitted = $state(false);

	#pending = new Set<Promise<unknown>>();
	#disposed = false;

	constructor(options: {
		type: ElementType;
		previous: StoredElement | undefined;
		requirements?: Requirements;
		/** Calling-code country when no number is stored yet (the country of residence). */
		defaultPhoneCountry?: string;
	}) {
		const { type, previous } = options;
		this.type = type;
		this.previous = previous;
		this.requirements = options.requirements ?? {};
		if (hasData(type)) {
			const stored = (previous?.data ?? {}) as Record<string, unknown>;
			const values = { ...(emptyData(type) as unknown as Record<string, string>) };
			for (const key of Object.keys(values)) {
				if (typeof stored[key] === 'string') values[key] = stored[key] as string;
			}
			this.values = values;
			// Every date field starts complete: bind: needs a value for each, never undefined.
			this.incompleteDates = Object.fromEntries(
				dataFields(type)
					.filter((spec) => spec.kind === 'birth_date' || spec.kind === 'expiry_date')
					.map((spec) => [spec.key, false])
			);
		}
		if (type === 'phone_number') {
			const digits = previous?.phone_number ?? '';
			this.phone = formatPhoneNumber(digits);
			this.phoneCountry =
				parsePhoneNumberFromString(`+${digits}`)?.country ?? options.defaultPhoneCountry ?? '';
		}
		if (type === 'email') this.email = previous?.email ?? '';
		this.singles = Object.fromEntries(
			SINGLE_PARTS.map((part) => [part, storedScan(previous?.[part])]).filter(([, scan]) => scan)
		);
		this.lists = {
			translation: (previous?.translation ?? []).map((ref) => storedScan(ref)!),
			files: (previous?.files ?? []).map((ref) => storedScan(ref)!)
		};
	}

	get rules() {
		return scanRules(this.type);
	}

	/** Whether the native-name fields are shown (and required): the residence decides. */
	get showsNativeNames(): boolean {
		return this.type === 'personal_details' && nativeNamesShown(this.values.residence_country_code);
	}

	/** Whether a scan part must be filled before saving. */
	requires(part: ScanPart): boolean {
		const rules = this.rules;
		if (part === 'selfie') return rules.selfie && !!this.requirements.selfie;
		if (part === 'translation') return rules.translation && !!this.requirements.translation;
		return rules[part];
	}

	/** Every error, keyed by data field, 'phone_number', 'email' or the scan part. */
	get errors(): Record<string, DraftError> {
		const errors: Record<string, DraftError> = {};
		if (hasData(this.type)) {
			const type = this.type as DataElementType;
			Object.assign(errors, validateData(type, this.values as never));
			for (const spec of dataFields(type)) {
				if (this.incompleteDates[spec.key]) errors[spec.key] = 'invalid_date';
			}
		}
		if (this.type === 'phone_number') {
			const parsed = parsePhoneInput(this.phone, this.phoneCountry);
			if (!parsed.ok) errors.phone_number = parsed.error;
		}
		if (this.type === 'email') {
			const error = validateEmail(this.email);
			if (error) errors.email = error;
		}
		for (const part of SINGLE_PARTS) {
			if (this.requires(part) && !this.singles[part]) errors[part] = 'scan_required';
		}
		for (const part of LIST_PARTS) {
			if (this.requires(part) && this.lists[part].length === 0) errors[part] = 'scan_required';
		}
		return errors;
	}

	/** The errors to show now: none before the first save attempt. */
	get shownErrors(): Record<string, DraftError> {
		return this.submitted ? this.errors : {};
	}

	get isBusy(): boolean {
		return Object.values(this.busy).some((count) => (count ?? 0) > 0);
	}

	/** Resolves once every photo being prepared is ready (or refused). */
	async settled(): Promise<void> {
		while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
	}

	/**
	 * Prepares photos (off the main thread) into a part: a single part takes the first and drops
	 * the scan it replaces; a list takes as many as fit under its limit.
	 */
	addFiles(part: ScanPart, files: readonly File[]): Promise<void> {
		const work = this.#addFiles(part, files);
		this.#pending.add(work);
		return work.finally(() => this.#pending.delete(work));
	}

	async #addFiles(part: ScanPart, files: readonly File[]): Promise<void> {
		const problems: CaptureProblem[] = [];
		let accepted = [...files];
		if (part === 'translation' || part === 'files') {
			const room = LIST_LIMITS[part] - this.lists[part].length;
			for (const file of accepted.slice(Math.max(room, 0))) {
				problems.push({ name: file.name, code: 'too_many' });
			}
			accepted = accepted.slice(0, Math.max(room, 0));
		} else {
			accepted = accepted.slice(0, 1);
		}
		this.captureProblems[part] = problems;
		for (const file of accepted) {
			this.busy[part] = (this.busy[part] ?? 0) + 1;
			try {
				const scan = await captureScan(file);
				if (this.#disposed) return;
				const fresh: DraftScan = {
					key: draftKey(),
					fresh: { ...scan, date: Math.floor(Date.now() / 1000) },
					url: URL.createObjectURL(new Blob([scan.bytes as BlobPart], { type: 'image/jpeg' }))
				};
				if (part === 'translation' || part === 'files') {
					this.lists = { ...this.lists, [part]: [...this.lists[part], fresh] };
				} else {
					this.#forgetScan(this.singles[part]);
					this.singles = { ...this.singles, [part]: fresh };
				}
			} catch (error) {
				const code = error instanceof CaptureError ? error.code : 'processing_failed';
				problems.push({ name: file.name, code });
				this.captureProblems[part] = [...problems];
			} finally {
				this.busy[part] = (this.busy[part] ?? 1) - 1;
			}
		}
	}

	removeScan(part: ScanPart, key: string): void {
		if (part === 'translation' || part === 'files') {
			this.#forgetScan(this.lists[part].find((scan) => scan.key === key));
			this.lists = { ...this.lists, [part]: this.lists[part].filter((scan) => scan.key !== key) };
		} else if (this.singles[part]?.key === key) {
			this.#forgetScan(this.singles[part]);
			const { [part]: _removed, ...rest } = this.singles;
			this.singles = rest;
		}
		this.captureProblems[part] = [];
	}

	/** What a save stores; call only when `errors` is empty. */
	toInput(): ElementInput {
		const input: ElementInput = { type: this.type };
		if (hasData(this.type)) input.data = normalizeData(this.type, this.values as never);
		if (this.type === 'phone_number') {
			const parsed = parsePhoneInput(this.phone, this.phoneCountry);
			if (!parsed.ok) throw new Error('The phone number is not valid');
			input.phone_number = parsed.digits;
		}
		if (this.type === 'email') input.email = normalizeEmail(this.email);
		const toScan = (scan: DraftScan): ScanInput => ('ref' in scan ? scan.ref : scan.fresh);
		for (const part of SINGLE_PARTS) {
			const scan = this.singles[part];
			if (scan && this.rules[part]) input[part] = toScan(scan);
		}
		for (const part of LIST_PARTS) {
			if (this.rules[part] && this.lists[part].length > 0) {
				input[part] = this.lists[part].map(toScan);
			}
		}
		return input;
	}

	/** Revokes the object URLs of new photos and drops their bytes (on save, cancel and lock). */
	dispose(): void {
		this.#disposed = true;
		for (const scan of Object.values(this.singles)) this.#forgetScan(scan);
		for (const part of LIST_PARTS) for (const scan of this.lists[part]) this.#forgetScan(scan);
		this.singles = {};
		this.lists = { translation: [], files: [] };
		this.values = {};
		this.phone = this.email = '';
	}

	#forgetScan(scan: DraftScan | undefined): void {
		if (scan && 'fresh' in scan) {
			URL.revokeObjectURL(scan.url);
			scan.fresh.bytes.fill(0);
		}
	}
}
