export { captureScan, CaptureError, MAX_INPUT_BYTES } from './capture.js';
export type { CaptureErrorCode, CaptureOptions, CapturedScan } from './capture.js';
export { MAX_SCAN_SIDE, SCAN_JPEG_QUALITY, fitWithin } from './size.js';
export { isJpeg, jpegHasExif, jpegHasXmp, readExif, readJpegSize } from './jpeg.js';
