export { captureScan, MAX_INPUT_BYTES } from './capture.js';
export type { CaptureOptions, CapturedScan } from './capture.js';
export { CAPTURE_ERROR_CODES, CaptureError, type CaptureErrorCode } from './errors.js';
export { MAX_SCAN_SIDE, SCAN_JPEG_QUALITY, fitWithin } from './size.js';
export { isJpeg, jpegHasExif, jpegHasXmp, readExif, readJpegSize } from './jpeg.js';
