/**
 * How the consent screen lays out a scope, as Telegram's clients do: personal details merge with
 * the identity document row when exactly one is requested, and the residential address with the
 * proof-of-address row when exactly one is requested; every other row stands alone.
 * Also which option of each one-of row to preselect.
 */
import type { Scope, ScopeRow } from './scope';
import { isAddressDocumentType, isIdDocumentType, type ElementType } from './types';

export type ConsentGroupKind = 'identity' | 'address' | 'single';

export interface ConsentGroup {
	kind: ConsentGroupKind;
	/** Indexes into scope.rows, in scope order. */
	rows: number[];
}

const isIdRow = (row: ScopeRow) => row.options.every((option) => isIdDocumentType(option.type));
const isAddressDocRow = (row: ScopeRow) =>
	row.options.every((option) => isAddressDocumentType(option.type));
const isTypeRow = (row: ScopeRow, type: ElementType) =>
	!row.oneOf && row.options.length === 1 && row.options[0].type === type;

export function groupScopeRows(scope: Scope): ConsentGroup[] {
	const rows = scope.rows;
	const indexesWhere = (test: (row: ScopeRow) => boolean) =>
		rows.flatMap((row, index) => (test(row) ? [index] : []));

	const personal = indexesWhere((row) => isTypeRow(row, 'personal_details'));
	const idRows = indexesWhere(isIdRow);
	const address = indexesWhere((row) => isTypeRow(row, 'address'));
	const proofRows = indexesWhere(isAddressDocRow);

	const merged = new Map<number, ConsentGroup>();
	const absorbed = new Set<number>();
	if (personal.length === 1 && idRows.length === 1) {
		merged.set(Math.min(personal[0], idRows[0]), {
			kind: 'identity',
			rows: [personal[0], idRows[0]]
		});
		absorbed.add(Math.max(personal[0], idRows[0]));
	}
	if (address.length === 1 && proofRows.length === 1) {
		merged.set(Math.min(address[0], proofRows[0]), {
			kind: 'address',
			rows: [address[0], proofRows[0]]
		});
		absorbed.add(Math.max(address[0], proofRows[0]));
	}

	const groups: ConsentGroup[] = [];
	rows.forEach((_, index) => {
		if (absorbed.has(index)) return;
		groups.push(merged.get(index) ?? { kind: 'single', rows: [index] });
	});
	return groups;
}

/**
 * For each row, the option to preselect: the first complete one, else the first already stored,
 * else the first offered. Single-option rows get their only type.
 */
export function defaultChoices(options: {
	scope: Scope;
	isStored: (type: ElementType) => boolean;
	isComplete: (row: number, type: ElementType) => boolean;
}): ElementType[] {
	return options.scope.rows.map((row, index) => {
		const types = row.options.map((option) => option.type);
		return (
			types.find((type) => options.isComplete(index, type)) ??
			types.find((type) => options.isStored(type)) ??
			types[0]
		);
	});
}
