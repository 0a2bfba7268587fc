/** Why a photo could not become a scan; the UI explains each with el_capture_err_<code>. */

export const CAPTURE_ERROR_CODES = [
	'empty_file',
	'file_too_large',
	'not_an_image',
	'processing_failed'
] as const;

export type CaptureErrorCode = (typeof CAPTURE_ERROR_CODES)[number];

export class CaptureError extends Error {
	readonly code: CaptureErrorCode;

	constructor(code: CaptureErrorCode, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'CaptureError';
		this.code = code;
	}
}
