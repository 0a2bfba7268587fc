export function buildKit(outDir: string): Promise<string>;
