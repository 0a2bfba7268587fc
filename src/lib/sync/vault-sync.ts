/**
 * Sync for an unlocked vault, in one call: opens the mirror on the vault's database, forwards
 * the vault's change notices to it, and connects the document to the vault's other devices.
 * The app starts it after unlock and stops it before lock (the room is derived from the key).
 */
import type { PapiersDb } from '$lib/vault/db';
import { DocMirror, type LocalRowChange } from './doc-mirror';
import type { FrameTap } from './fragmenting-peers';
import { deriveRoomCredentials, type RoomSubkeyPurpose } from './room-credentials';
import { startTransport, type SyncTransport, type TransportSettings } from './transport';

/** The part of UnlockedVault (vault.ts) that sync uses. */
export interface SyncableVault {
	readonly db: PapiersDb;
	deriveSubkey(purpose: RoomSubkeyPurpose): Uint8Array;
	onChange(listener: (change: LocalRowChange) => void): () => void;
}

export interface VaultSync {
	readonly mirror: DocMirror;
	readonly transport: SyncTransport;
	stop(): Promise<void>;
}

export async function startVaultSync(options: {
	vault: SyncableVault;
	settings: TransportSettings;
	/** Tests only. */
	syncDbName?: string;
	frameTap?: FrameTap;
}): Promise<VaultSync> {
	const { vault, settings } = options;
	const deriveSubkey = (purpose: RoomSubkeyPurpose) => vault.deriveSubkey(purpose);
	// Notices that arrive while the mirror opens are replayed after; replaying one the opening
	// reconciliation already saw in the store changes nothing.
	const early: LocalRowChange[] = [];
	let mirror: DocMirror | undefined;
	const unsubscribe = vault.onChange((change) => {
		if (mirror) mirror.applyLocalChange(change);
		else early.push(change);
	});
	try {
		mirror = await DocMirror.open({
			vaultDb: vault.db,
			vaultTag: deriveRoomCredentials(deriveSubkey).roomName,
			syncDbName: options.syncDbName
		});
	} catch (error) {
		unsubscribe();
		throw error;
	}
	for (const change of early.splice(0)) mirror.applyLocalChange(change);
	const openedMirror = mirror;
	const transport = startTransport({
		doc: openedMirror.doc,
		deriveSubkey,
		signalingUrls: settings.signalingUrls,
		iceServers: settings.iceServers,
		peerConnections: settings.peerConnections,
		frameTap: options.frameTap
	});
	return {
		mirror: openedMirror,
		transport,
		async stop() {
			transport.stop();
			unsubscribe();
			await openedMirror.close();
		}
	};
}
