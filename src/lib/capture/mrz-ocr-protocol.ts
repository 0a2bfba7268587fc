/** Messages between mrz-ocr.ts and mrz-ocr.worker.ts. */

export interface MrzOcrRequest {
	id: number;
	/** The photo as the person added it (a JPEG of the scan pipeline, or any image file). */
	photo: Blob;
}

export type MrzOcrFailure =
	/** No lines dense enough to be an MRZ in the photo. */
	| 'no_mrz'
	/** Lines were found, but the engine's text does not have an MRZ's shape. */
	| 'unreadable'
	/** The browser cannot decode or draw the photo in a worker, or the engine did not load. */
	| 'unsupported';

export type MrzOcrReply =
	| {
			id: number;
			ok: true;
			/** The MRZ lines, one per line, for readMrz (the typed-lines path reads the same). */
			text: string;
			/** Milliseconds spent finding the band and reading it (the engine's start not counted). */
			readMs: number;
			/** Milliseconds the engine took to start (0 once started). */
			startMs: number;
	  }
	| {
			id: number;
			ok: false;
			reason: MrzOcrFailure;
			message: string;
			readMs: number;
			startMs: number;
	  };
