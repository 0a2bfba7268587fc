/**
 * Runs in Chromium for 07-mrz.bench.js: the wallet's own MRZ reader (readMrz, the same parser,
 * look-alike repair and proposals as the editor) applied to the text the built MRZ worker read,
 * and to the true lines, so each field read from a photo can be compared with what the true
 * lines give.
 */
import { localCalendarDate } from '$lib/passport/elements/dates';
import { readMrz, type Proposal } from '$lib/passport/mrz';

export interface FieldScore {
	/** The photo's reading has the MRZ's shape and parses. */
	parsed: boolean;
	/** Every field equals the true lines' field. */
	allCorrect: boolean;
	/** Fields whose value differs from the truth although their check digit passed. */
	wrongButValid: string[];
	/** Wrong fields the editor would fill or tick without asking (check passed, or none to check). */
	wrongUnasked: string[];
	/** Fields shown for the person to confirm (check failed, corrected, or a problem). */
	flagged: number;
	wrong: string[];
}

function score(read: string, truth: string): FieldScore {
	const today = localCalendarDate(new Date());
	const expected = readMrz(truth, today);
	if (!expected.ok) throw new Error(`The generator's lines do not parse: ${truth}`);
	const actual = readMrz(read, today, { requireAllChecks: true });
	if (!actual.ok) {
		return {
			parsed: false,
			allCorrect: false,
			wrongButValid: [],
			wrongUnasked: [],
			flagged: 0,
			wrong: ['all']
		};
	}
	const all = (reading: typeof expected.reading): Proposal[] => [
		...reading.document,
		...reading.personal
	];
	const truthByKey = new Map(all(expected.reading).map((proposal) => [proposal.key, proposal]));
	const wrong: string[] = [];
	const wrongButValid: string[] = [];
	const wrongUnasked: string[] = [];
	let flagged = 0;
	for (const proposal of all(actual.reading)) {
		const right = truthByKey.get(proposal.key)?.value;
		if ((proposal.check !== 'valid' && proposal.check !== 'none') || proposal.problem) flagged++;
		if (proposal.value !== right) {
			wrong.push(proposal.key);
			if (proposal.check === 'valid') wrongButValid.push(proposal.key);
			if ((proposal.check === 'valid' || proposal.check === 'none') && !proposal.problem) {
				wrongUnasked.push(proposal.key);
			}
		}
	}
	return {
		parsed: true,
		allCorrect: wrong.length === 0,
		wrongButValid,
		wrongUnasked,
		flagged,
		wrong
	};
}

(globalThis as unknown as { benchMrz: { score: typeof score } }).benchMrz = { score };
