import { defineConfig } from 'vite';

export default defineConfig({
	build: {
		outDir: 'bench/dist',
		emptyOutDir: true,
		lib: {
			entry: 'bench/argon2-entry.ts',
			formats: ['iife'],
			name: 'benchArgon2',
			fileName: () => 'argon2.js'
		}
	}
});
