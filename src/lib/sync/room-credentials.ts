/**
 * The y-webrtc room of a vault. Its name and password come from the vault key through HKDF,
 * never from anything typed, so the signaling operator (who sees room names) can neither guess
 * a room nor read the signaling y-webrtc encrypts with the password. Every device unlocked with
 * the same vault key arrives in the same room.
 */
import { toBase64Url, wipe } from '$lib/crypto/bytes';

export type RoomSubkeyPurpose = 'sync-room-name' | 'sync-room-secret';

/** `vault.deriveSubkey` of an unlocked vault, or `(p) => deriveSubkey(vaultKey, p)`. */
export type RoomSubkeyDeriver = (purpose: RoomSubkeyPurpose) => Uint8Array;

export interface RoomCredentials {
	/** Shown to the relay as the topic; reveals nothing about the key. */
	roomName: string;
	/** Given to y-webrtc, which encrypts signaling with a key derived from it. */
	password: string;
}

export function deriveRoomCredentials(deriveSubkey: RoomSubkeyDeriver): RoomCredentials {
	const nameKey = deriveSubkey('sync-room-name');
	const secretKey = deriveSubkey('sync-room-secret');
	try {
		if (nameKey.length < 16 || secretKey.length < 16) throw new Error('Room subkeys are too short');
		return { roomName: `papiers-${toBase64Url(nameKey)}`, password: toBase64Url(secretKey) };
	} finally {
		wipe(nameKey, secretKey);
	}
}
