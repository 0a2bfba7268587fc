export function ocrDirectory(): string;
export function copyOcrAssets(): string;
