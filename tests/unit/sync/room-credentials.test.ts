import { describe, expect, it } from 'vitest';
import { toBase64Url, toHex } from '$lib/crypto/bytes';
import { deriveSubkey } from '$lib/crypto/hkdf';
import { deriveRoomCredentials } from '$lib/sync/room-credentials';

const keyA = new Uint8Array(32).fill(1);
const keyB = new Uint8Array(32).fill(2);
const fromKey = (key: Uint8Array) => deriveRoomCredentials((purpose) => deriveSubkey(key, purpose));

describe('room credentials', () => {
	it('are the same on every device with the vault key, and differ between vaults', () => {
		expect(fromKey(keyA)).toEqual(fromKey(keyA));
		expect(fromKey(keyA).roomName).not.toBe(fromKey(keyB).roomName);
		expect(fromKey(keyA).password).not.toBe(fromKey(keyB).password);
	});

	it('reveal neither the vault key nor each other', () => {
		const { roomName, password } = fromKey(keyA);
		expect(roomName).toMatch(/^papiers-[A-Za-z0-9_-]{43}$/);
		expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(roomName).not.toContain(password);
		for (const form of [toHex(keyA), toBase64Url(keyA)]) {
			expect(roomName).not.toContain(form);
			expect(password).not.toContain(form);
		}
	});
});
