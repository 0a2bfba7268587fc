/**
 * Sync for an unlocked vault, in one call: opens the mirror on the vault's database, forwards
 * the vault's change notices to it, and connects the document to the vault's other devices.
 * The app starts it after unlock and stops it before lock (the room is derived from the key).
 */
import type { PapiersDb } from '$lib/vault/db';
import { DocMirror, type LocalRowChange } from './doc-mirror';
import type { FrameTap } from './fragmenting-peers';
import { deriveRoomCredentials, type RoomSubkeyPurpose } from './room-credentials';
import { ScanTransfer, TRANSFER_MESSAGE, type TransferEvents } from './scan-transfer';
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
	/** Scans fetched from and served to peers, apart from the document. */
	readonly scans: ScanTransfer;
	stop(): Promise<void>;
}

export async function startVaultSync(options: {
	vault: SyncableVault;
	settings: TransportSettings;
	/** Tests only. */
	syncDbName?: string;
	frameTap?: FrameTap;
	transferEvents?: TransferEvents;
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
	const scans = new ScanTransfer({
		mirror: openedMirror,
		vaultDb: vault.db,
		pieces: openedMirror.pieces,
		events: options.transferEvents
	});
	const transport = startTransport({
		doc: openedMirror.doc,
		deriveSubkey,
		signalingUrls: settings.signalingUrls,
		iceServers: settings.iceServers,
		peerConnections: settings.peerConnections,
		frameTap: options.frameTap,
		extra: {
			messageType: TRANSFER_MESSAGE,
			onLink: (peerId, send) => scans.addLink({ peerId, send }),
			onUnlink: (peerId, send) => scans.removeLink(peerId, send),
			onMessage: (peerId, message) => scans.receive(peerId, message)
		}
	});
	return {
		mirror: openedMirror,
		transport,
		scans,
		async stop() {
			transport.stop();
			unsubscribe();
			await scans.stop();
			await openedMirror.close();
		}
	};
}
