/// <reference lib="webworker" />
/**
 * Runs Argon2id off the main thread: 64 MiB and 3 passes take a few hundred milliseconds,
 * which would otherwise freeze the password screen.
 */
import { deriveKeyFromPassword, type KdfParams } from '$lib/crypto/kdf';

interface KdfRequest {
	id: number;
	password: string;
	params: KdfParams;
}

self.onmessage = async (event: MessageEvent<KdfRequest>) => {
	const { id, password, params } = event.data;
	try {
		const key = await deriveKeyFromPassword({ password, params });
		(self as unknown as Worker).postMessage({ id, key }, [key.buffer]);
	} catch (error) {
		(self as unknown as Worker).postMessage({ id, error: (error as Error).message });
	}
};
