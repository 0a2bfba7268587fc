/**
 * Which scans each element type takes (PROTOCOL.md section 3). Scans are JPEG; the vault keeps them,
 * elements hold ScanRefs.
 */
import type { ElementType } from '../types.js';
import { isAddressDocumentType, isIdDocumentType } from '../types.js';

export const MAX_FILES = 20;
export const MAX_TRANSLATIONS = 20;

export interface ScanRules {
	/** Takes a front side: every ID document, always required. */
	front_side: boolean;
	/** Takes a reverse side: driver licences and identity cards, always required. */
	reverse_side: boolean;
	/** May carry a selfie with the document; required only when a request asks. */
	selfie: boolean;
	/** May carry translations (1..20); required only when a request asks. */
	translation: boolean;
	/** Takes a list of 1..20 scans: the proofs of address. */
	files: boolean;
}

const NO_SCANS: ScanRules = {
	front_side: false,
	reverse_side: false,
	selfie: false,
	translation: false,
	files: false
};

export function scanRules(type: ElementType): ScanRules {
	if (isIdDocumentType(type)) {
		const twoSided = type === 'driver_license' || type === 'identity_card';
		return {
			...NO_SCANS,
			front_side: true,
			reverse_side: twoSided,
			selfie: true,
			translation: true
		};
	}
	if (isAddressDocumentType(type)) return { ...NO_SCANS, files: true, translation: true };
	return NO_SCANS;
}

/** True for the types that hold scans at all. */
export function hasScans(type: ElementType): boolean {
	const rules = scanRules(type);
	return rules.front_side || rules.files;
}
