// Bench-only bundle: exposes hash-wasm's Argon2id so the bench can time the bare computation
// in the same browser and page as the app's unlock.
import { argon2id } from 'hash-wasm';

(globalThis as unknown as { benchArgon2id: typeof argon2id }).benchArgon2id = argon2id;
