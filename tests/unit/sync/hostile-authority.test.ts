/**
 * Fuzz of what a key holder (or a stranger on the relay) can send that touches membership and
 * keys: handovers on the mailbox and registry records in the synced document. Every input is a
 * mutation of a real, correctly signed one, or random JSON. Nothing may throw, no mutated
 * handover may be read as a key change or a removal, and no mutated record may become a member.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '$lib/crypto/bytes';
import { openDatabase } from '$lib/vault/db';
import { createVault, deriveOnThisThread } from '$lib/vault/vault';
import { rotateVaultKey } from '$lib/vault/rotate-key';
import { newDeviceKeyPair } from '$lib/sync/device-keys';
import { deviceRecordKey, devicesIn, type DeviceRecord } from '$lib/sync/device-registry';
import { buildHandover, readHandover, publicPart, type PublicHandover } from '$lib/sync/handover';
import { authorityOf, grantFor } from './members';

const kdf = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const HANDOVER_CASES = 1_500;
const RECORD_CASES = 7_000;

/** A small deterministic generator, so a failure names a case that can be run again. */
function random(seed: number) {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
	};
	const int = (n: number) => Math.floor(next() * n);
	const pick = <T>(items: readonly T[]): T => items[int(items.length)];
	return { next, int, pick };
}

const WRONG_VALUES: unknown[] = [
	null,
	undefined,
	0,
	-1,
	1.5,
	2 ** 53,
	NaN,
	'',
	'x',
	'A'.repeat(10_000),
	[],
	[1],
	{},
	{ a: 1 },
	true,
	'AAAA',
	'!!!'
];

/** One bit of the decoded bytes flipped (a changed character could decode to the same bytes). */
function flipBase64(text: string, rng: ReturnType<typeof random>): string {
	const bytes = text ? fromBase64(text) : new Uint8Array(1);
	if (bytes.length === 0) return 'AA==';
	bytes[rng.int(bytes.length)] ^= 1 << rng.int(8);
	return toBase64(bytes);
}

function mutateHandover(
	original: PublicHandover,
	rng: ReturnType<typeof random>,
	ids: string[]
): unknown {
	const copy: Record<string, unknown> = structuredClone(original) as never;
	const keys = Object.keys(copy);
	switch (rng.int(8)) {
		case 0:
			copy[rng.pick(keys)] = rng.pick(WRONG_VALUES);
			break;
		case 1:
			delete copy[rng.pick(keys)];
			break;
		case 2:
			copy.signature = flipBase64(original.signature, rng);
			break;
		case 3: {
			const envelopes = { ...original.envelopes };
			const id = rng.pick(Object.keys(envelopes));
			envelopes[id] = flipBase64(envelopes[id], rng);
			copy.envelopes = envelopes;
			break;
		}
		case 4:
			copy.removed = [rng.pick(ids.filter((id) => !original.removed.includes(id)))];
			break;
		case 5:
			copy.fromGeneration = original.fromGeneration + 1 + rng.int(3);
			copy.toGeneration = (copy.fromGeneration as number) + 1;
			break;
		case 6:
			copy.stateVector = flipBase64(original.stateVector, rng);
			break;
		default:
			return rng.pick(WRONG_VALUES);
	}
	return copy;
}

function mutateRecord(
	original: DeviceRecord,
	rng: ReturnType<typeof random>,
	otherKey: string
): unknown {
	const copy: Record<string, unknown> = { ...original };
	switch (rng.int(5)) {
		case 0:
			copy[rng.pick(Object.keys(copy))] = rng.pick(WRONG_VALUES);
			break;
		case 1:
			copy.grant = flipBase64(original.grant ?? '', rng);
			break;
		case 2:
			copy.publicKey = otherKey;
			break;
		case 3:
			delete copy.grant;
			break;
		default:
			return rng.pick(WRONG_VALUES);
	}
	// Only the membership fields are signed; a changed name or date is not a forgery.
	if (
		copy.grant === original.grant &&
		copy.id === original.id &&
		copy.publicKey === original.publicKey
	) {
		copy.grant = flipBase64(original.grant ?? '', rng);
	}
	return copy;
}

describe('hostile membership and handover inputs from a key holder', () => {
	it(`reads ${HANDOVER_CASES} mutated handovers and ${RECORD_CASES} mutated records safely`, async () => {
		const db = openDatabase('hostile-authority');
		const vault = await createVault({ password: 'a password of length', vault: { db, kdf } });
		const authority = await authorityOf(db, vault);
		const [a, b, c] = [newDeviceKeyPair(), newDeviceKeyPair(), newDeviceKeyPair()];
		const members: DeviceRecord[] = [a, b, c].map((identity, index) => ({
			id: identity.deviceId,
			name: `Device ${index}`,
			publicKey: toBase64(identity.publicKey),
			added: index,
			lastSeen: index,
			grant: grantFor(authority, identity)
		}));
		let handover: PublicHandover | undefined;
		await rotateVaultKey({
			vault,
			db,
			password: 'a password of length',
			deriveKey: deriveOnThisThread,
			kdf,
			addRecords: (secrets) => {
				handover = publicPart(
					buildHandover({
						sender: a,
						recipients: members,
						removed: [c.deviceId],
						roomSecret: new Uint8Array(32),
						stateVector: new Uint8Array([0]),
						header: secrets.header,
						fromGeneration: 1,
						authoritySeed: secrets.previousAuthoritySeed!
					})
				);
				return [];
			}
		});
		const read = (value: unknown, recipient = b) =>
			readHandover({
				handover: value,
				recipient,
				generation: 1,
				knownDevices: members,
				authorityPublicKey: authority.publicKey,
				kdfFloor: kdf
			});
		// The real one is read as it should be: the fuzz starts from something that works.
		expect(read(handover)).toMatchObject({ senderId: a.deviceId });
		expect(read(handover, c)).toBe('removed');

		const rng = random(20261202);
		const ids = [a, b, c].map((device) => device.deviceId);
		let accepted = 0;
		for (let i = 0; i < HANDOVER_CASES; i++) {
			const mutated = mutateHandover(handover!, rng, ids);
			for (const recipient of [b, c]) {
				const outcome = read(mutated, recipient);
				if (outcome !== undefined) accepted += 1;
			}
		}
		expect(accepted).toBe(0);

		let members_added = 0;
		const stranger = toBase64(newDeviceKeyPair().publicKey);
		for (let i = 0; i < RECORD_CASES; i++) {
			const original = rng.pick(members);
			const mutated = mutateRecord(original, rng, stranger);
			const listed = devicesIn(
				[{ key: deviceRecordKey(original.id), value: mutated }],
				authority.publicKey
			);
			members_added += listed.length;
		}
		expect(members_added).toBe(0);
		// And the real records are members, as a control.
		expect(
			devicesIn(
				members.map((value) => ({ key: deviceRecordKey(value.id), value })),
				authority.publicKey
			)
		).toHaveLength(3);
		console.log(
			`hostile authority inputs: ${HANDOVER_CASES} handovers (read by 2 devices), ${RECORD_CASES} registry records; 0 accepted`
		);
		db.close();
	});
});
