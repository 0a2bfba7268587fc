/**
 * Reads the machine-readable zone of a passport or ID card (ICAO 9303 TD1, TD2, TD3) and turns it
 * into proposals for the wallet's elements: document number and expiry for the ID document; names,
 * birth date, gender and nationality for Personal details. Each proposal carries the result of its
 * check digit, so a screen can fill what the MRZ vouches for and ask about the rest.
 */
import { parse, type Details, type FieldName, type ParseResult } from 'mrz';
import { formatDotDate, type CalendarDate } from '../elements/dates.js';
import { correctLookAlikes, documentNumberHasTwin, type Correction } from './lookalikes.js';
import { icaoNationality, type NoCountryReason } from './nationality.js';
import { birthDateFromMrz, expiryDateFromMrz } from './years.js';

export type MrzFormat = 'TD1' | 'TD2' | 'TD3';

/** Why typed or read lines are not an MRZ the wallet reads. */
export type MrzError =
	| 'empty'
	/** Something other than A-Z, 0-9 and `<`. */
	| 'invalid_chars'
	/** Not 3 lines of 30, 2 of 36 or 2 of 44 characters. */
	| 'wrong_shape'
	/** A shape the parser reads as another document (the French 2×36 ID card). */
	| 'unsupported';

/**
 * `none`: the MRZ has no check digit for this field (names, gender, nationality).
 * `corrected`: look-alike characters were changed to read it (see lookalikes.ts); the person
 * confirms it like a failing one.
 * `unconfirmed`: its own check digit matches (or it has none) but another check of the MRZ
 * fails, in a reading that asks for every check (`requireAllChecks`, lines read by OCR): a
 * misread that shifts characters can pass one check digit by chance, seldom all of them. A
 * document number is also `unconfirmed` there when one or two look-alike swaps give another
 * reading that passes every check as well (O for 0 at weights 7 and 3 cancel out).
 */
export type CheckResult = 'valid' | 'invalid' | 'none' | 'corrected' | 'unconfirmed';

export type ProposalProblem =
	/** The characters are not a value of this field (a month 13, a sex `Q`). */
	| 'unreadable'
	/** The name fills its zone to the end: the document may have cut it short. */
	| 'truncated'
	/** Gender `<`, or a nationality that is no country. */
	| NoCountryReason;

export type DocumentKey = 'document_no' | 'expiry_date';
export type PersonalKey =
	'first_name' | 'middle_name' | 'last_name' | 'birth_date' | 'gender' | 'country_code';

export interface Proposal<Key extends string = string> {
	key: Key;
	/** In the wallet's format (DD.MM.YYYY, 'male'/'female', alpha-2); '' when there is none. */
	value: string;
	check: CheckResult;
	problem?: ProposalProblem;
}

export interface MrzReading {
	format: MrzFormat;
	document: Proposal<DocumentKey>[];
	personal: Proposal<PersonalKey>[];
	/** Every check digit, the composite one included, matches (after corrections). */
	allChecksPass: boolean;
	corrections: Correction[];
}

export type MrzResult = { ok: true; reading: MrzReading } | { ok: false; error: MrzError };

const SHAPES: Readonly<Record<string, MrzFormat>> = { '3x30': 'TD1', '2x36': 'TD2', '2x44': 'TD3' };

/**
 * The lines as typed: upper case, spaces dropped (people group characters when they copy),
 * empty lines ignored.
 */
export function mrzLines(text: string): string[] {
	return text
		.split(/\r?\n/)
		.map((line) => line.replace(/\s+/g, '').toUpperCase())
		.filter((line) => line !== '');
}

export interface ReadOptions {
	/**
	 * A field's check digit vouches for it only if every check digit of the MRZ passes: for lines
	 * an OCR engine read, where one misread shifting the line can pass a field's check by chance
	 * (1 in 10). Typed lines keep each field's own check.
	 */
	requireAllChecks?: boolean;
}

export function readMrz(text: string, today: CalendarDate, options: ReadOptions = {}): MrzResult {
	const lines = mrzLines(text);
	if (lines.length === 0) return { ok: false, error: 'empty' };
	if (lines.some((line) => !/^[A-Z0-9<]+$/.test(line)))
		return { ok: false, error: 'invalid_chars' };
	const shape = `${lines.length}x${lines[0].length}`;
	const format = SHAPES[shape];
	if (!format || lines.some((line) => line.length !== lines[0].length)) {
		return { ok: false, error: 'wrong_shape' };
	}
	// The French 2×36 card would be read with TD2's positions: tell it apart before correcting.
	if (format === 'TD2' && (/^IDFRA/.test(lines[0]) || /[0-9]/.test(lines[0].slice(30, 35)))) {
		return { ok: false, error: 'unsupported' };
	}
	const { lines: corrected, corrections } = correctLookAlikes(lines, format);
	let result: ParseResult;
	try {
		result = parse(corrected);
	} catch {
		return { ok: false, error: 'wrong_shape' };
	}
	if (result.format !== format) return { ok: false, error: 'unsupported' };
	const reading = proposalsFrom(result, corrected, format, today);
	markCorrected(reading, result, corrections);
	if (options.requireAllChecks && documentNumberHasTwin(corrected, format)) {
		const documentNo = reading.document.find((proposal) => proposal.key === 'document_no');
		if (documentNo?.check === 'valid') documentNo.check = 'unconfirmed';
	}
	if (options.requireAllChecks && !reading.allChecksPass) {
		for (const proposal of [...reading.document, ...reading.personal]) {
			// Names, gender and nationality have no check digit of their own: a reading that fails
			// a check elsewhere does not vouch for them either.
			if (proposal.check === 'valid' || proposal.check === 'none') proposal.check = 'unconfirmed';
		}
	}
	return { ok: true, reading: { ...reading, corrections } };
}

function detail(result: ParseResult, field: FieldName): Details | undefined {
	return result.details.find((entry) => entry.field === field);
}

function checkOf(result: ParseResult, checkDigit: FieldName): CheckResult {
	return detail(result, checkDigit)?.valid ? 'valid' : 'invalid';
}

/** ERIKSSON -> Eriksson, ANNA MARIA -> Anna Maria: how people type names in the wallet. */
export function nameCase(mrzName: string): string {
	return mrzName
		.toLowerCase()
		.split(' ')
		.filter((word) => word !== '')
		.map((word) => word[0].toUpperCase() + word.slice(1))
		.join(' ');
}

function dateProposal<Key extends 'birth_date' | 'expiry_date'>(
	key: Key,
	result: ParseResult,
	valueField: FieldName,
	checkField: FieldName,
	toDate: (text: string) => CalendarDate | null
): Proposal<Key> {
	const text = detail(result, valueField)?.valid ? result.fields[valueField] : null;
	const date = text ? toDate(text) : null;
	const check = checkOf(result, checkField);
	return date
		? { key, value: formatDotDate(date), check }
		: { key, value: '', check, problem: 'unreadable' };
}

function proposalsFrom(
	result: ParseResult,
	lines: readonly string[],
	format: MrzFormat,
	today: CalendarDate
): MrzReading {
	const { fields } = result;
	/** The characters of a field's zone as they stand in the MRZ. */
	const zone = (field: FieldName): string => {
		const range = detail(result, field)?.ranges[0];
		return range ? lines[range.line].slice(range.start, range.end) : '';
	};

	const documentCheck = checkOf(result, 'documentNumberCheckDigit');
	const documentNo = result.documentNumber ?? fields.documentNumber ?? '';
	const document: Proposal<DocumentKey>[] = [
		documentNo
			? { key: 'document_no', value: documentNo, check: documentCheck }
			: { key: 'document_no', value: '', check: documentCheck, problem: 'unreadable' },
		dateProposal('expiry_date', result, 'expirationDate', 'expirationDateCheckDigit', (text) =>
			expiryDateFromMrz(text, today)
		)
	];

	const lastName = nameCase(fields.lastName ?? '');
	const [firstName = '', ...middleNames] = nameCase(fields.firstName ?? '').split(' ');
	const names: Proposal<PersonalKey>[] = [
		{ key: 'first_name', value: firstName, check: 'none' },
		{ key: 'middle_name', value: middleNames.join(' '), check: 'none' },
		{ key: 'last_name', value: lastName, check: 'none' }
	];
	// The name zone is padded with `<`; a last character that is a letter means the issuer had to
	// cut the name to fit, so the part written last (the MRZ order is last, first, middle names)
	// may be incomplete.
	if (!zone('lastName').endsWith('<')) {
		const cut = [names[1], names[0], names[2]].find((name) => name.value !== '');
		if (cut) cut.problem = 'truncated';
	}

	const sex = fields.sex;
	const gender: Proposal<PersonalKey> =
		sex === 'male' || sex === 'female'
			? { key: 'gender', value: sex, check: 'none' }
			: {
					key: 'gender',
					value: '',
					check: 'none',
					problem: sex === 'nonspecified' ? 'unspecified' : 'unreadable'
				};

	const nationality = icaoNationality(zone('nationality'));
	const country: Proposal<PersonalKey> =
		'reason' in nationality
			? { key: 'country_code', value: '', check: 'none', problem: nationality.reason }
			: { key: 'country_code', value: nationality.code, check: 'none' };

	return {
		format,
		corrections: [],
		document,
		personal: [
			...names,
			dateProposal('birth_date', result, 'birthDate', 'birthDateCheckDigit', (text) =>
				birthDateFromMrz(text, today)
			),
			gender,
			country
		],
		allChecksPass: result.details
			.filter((entry) => entry.field?.endsWith('CheckDigit'))
			.every((entry) => entry.valid)
	};
}

/** The MRZ fields each proposal is read from. */
const SOURCES: Readonly<Record<DocumentKey | PersonalKey, readonly FieldName[]>> = {
	document_no: ['documentNumber', 'documentNumberCheckDigit'],
	expiry_date: ['expirationDate', 'expirationDateCheckDigit'],
	birth_date: ['birthDate', 'birthDateCheckDigit'],
	first_name: ['firstName'],
	middle_name: ['firstName'],
	last_name: ['lastName'],
	gender: ['sex'],
	country_code: ['nationality']
};

/** A proposal read through a corrected character is `corrected` (unless its check still fails). */
function markCorrected(
	reading: MrzReading,
	result: ParseResult,
	corrections: readonly Correction[]
): void {
	for (const proposal of [...reading.document, ...reading.personal]) {
		if (proposal.check === 'invalid') continue;
		const touched = SOURCES[proposal.key].some((field) => {
			const entry = detail(result, field);
			return (
				entry &&
				corrections.some(
					(fix) => fix.line === entry.line && fix.column >= entry.start && fix.column < entry.end
				)
			);
		});
		if (touched) proposal.check = 'corrected';
	}
}
