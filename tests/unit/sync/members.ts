/**
 * Making devices members in tests as the app does: the authority seed the password opened
 * (UnlockedVault.takeAuthority) signs each device's grant (device-registry.ts).
 */
import { toBase64 } from '$lib/crypto/bytes';
import type { PapiersDb } from '$lib/vault/db';
import type { UnlockedVault } from '$lib/vault/vault';
import type { DeviceKeyPair } from '$lib/sync/device-keys';
import { announceDevice, grantDevice } from '$lib/sync/device-registry';

export interface TestAuthority {
	seed: Uint8Array;
	publicKey: Uint8Array;
}

/** The authority of a vault just created or unlocked with its password. */
export async function authorityOf(db: PapiersDb, vault: UnlockedVault): Promise<TestAuthority> {
	const held = vault.takeAuthority();
	const publicKey = (await db.header.get('main'))?.authorityPublicKey;
	if (!held || !publicKey) throw new Error('This vault holds no authority seed');
	return { seed: held.seed, publicKey };
}

export function grantFor(authority: TestAuthority, identity: DeviceKeyPair): string {
	return grantDevice({
		authoritySeed: authority.seed,
		authorityPublicKey: authority.publicKey,
		device: { id: identity.deviceId, publicKey: toBase64(identity.publicKey) }
	});
}

/** Lists a device in the registry with a grant, as its own unlock would. */
export async function announceMember(options: {
	vault: UnlockedVault;
	authority: TestAuthority;
	identity: DeviceKeyPair;
	name: string;
	now?: number;
}) {
	return announceDevice({
		vault: options.vault,
		identity: options.identity,
		defaultName: options.name,
		grant: grantFor(options.authority, options.identity),
		now: options.now
	});
}
