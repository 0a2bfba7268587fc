/**
 * What the wallet remembers of each element it sent (PROTOCOL.md 4.2 "keep it, per submission, in
 * the consent history"): the hashes a service can quote back in PassportElementError objects
 * (section 5), tied to the scans and fields they covered.
 */

import type { ScanPartName } from './passport-data';
import type { ElementType } from './types';

export interface SentFile {
	part: ScanPartName;
	/** Position in `files` or `translation`; 0 for single scans. */
	index: number;
	/** The vault scan that was sent. */
	scanId: string;
	/** base64 file_hash as the service received it. */
	fileHash: string;
}

export interface SentElement {
	type: ElementType;
	/** base64 element hash (element-hash.ts). */
	elementHash: string;
	/** base64 data_hash, for elements with a data object. */
	dataHash?: string;
	/** Field name to fieldDigest() of the value sent, for elements with a data object. */
	fieldDigests?: Record<string, string>;
	files: SentFile[];
}
