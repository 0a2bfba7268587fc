import { describe, expect, it } from 'vitest';
import { buildPassportData, scanIdsToSend } from '../../../src/lib/passport/build-response';
import { encodeFormPost } from '../../../src/lib/passport/delivery';
import { parseConsentRequest, type ConsentRequest } from '../../../src/lib/passport/request';
import { ScanPreparer } from '../../../src/lib/passport/scan-preparer';
import type { ScopeElement } from '../../../src/lib/passport/scope';
import { decryptDelivery } from '../../../src/lib/service';
import { ScanShelf, allElements, consentQuery, sharedKeys } from './helpers';

function requestFor(scope: unknown): ConsentRequest {
	const parsed = parseConsentRequest({ query: consentQuery({ scope: JSON.stringify(scope) }) });
	if (!parsed.ok) throw new Error(parsed.code);
	return parsed.request;
}

/** A shelf whose reads are counted, to tell a prepared scan from one read again at Authorize. */
function countingShelf() {
	const shelf = new ScanShelf();
	const reads: string[] = [];
	const readScan = async (id: string) => {
		reads.push(id);
		return shelf.readScan(id);
	};
	return { shelf, reads, readScan };
}

const SCOPE = {
	v: 1,
	data: [
		'personal_details',
		{ type: 'identity_card', selfie: true, translation: true },
		'address',
		{ type: 'utility_bill' },
		'phone_number'
	]
};

/** The scan ids this request takes, as the consent screen lists them for preparation. */
function idsToPrepare(request: ConsentRequest, elements: ReturnType<typeof allElements>) {
	return request.scope.rows.flatMap((row) =>
		scanIdsToSend(elements[row.options[0].type], row.options[0])
	);
}

describe('scans prepared before Authorize', () => {
	it('are what the response carries, and the service kit decrypts them', async () => {
		const { shelf, reads, readScan } = countingShelf();
		const elements = allElements(shelf);
		const request = requestFor(SCOPE);
		const preparer = new ScanPreparer(readScan);
		const ids = idsToPrepare(request, elements);
		expect(ids).toEqual([
			'identity_card-front',
			'identity_card-reverse',
			'identity_card-selfie',
			'identity_card-tr0',
			'identity_card-tr1',
			'utility_bill-f0',
			'utility_bill-f1'
		]);
		await preparer.prepare(ids);
		expect([...reads].sort()).toEqual([...ids].sort());

		const built = await buildPassportData({
			request,
			elements,
			readScan,
			encryptScan: (id) => preparer.take(id)
		});
		// Authorize read nothing more: every scan came prepared, and each was handed out once.
		expect(reads).toHaveLength(ids.length);
		expect(preparer.size).toBe(0);

		const outcome = await decryptDelivery({
			privateKey: sharedKeys().pkcs8Pem,
			fields: encodeFormPost(built),
			expectedNonce: 'nonce-1'
		});
		expect(outcome.status).toBe('success');
		if (outcome.status !== 'success') return;
		const card = outcome.passport.byType.identity_card!;
		const same = (file: { bytes?: Uint8Array } | undefined, id: string) =>
			expect(Buffer.from(file!.bytes!).equals(shelf.scans.get(id)!), id).toBe(true);
		same(card.front_side, 'identity_card-front');
		same(card.reverse_side, 'identity_card-reverse');
		same(card.selfie, 'identity_card-selfie');
		card.translation!.forEach((file, i) => same(file, `identity_card-tr${i}`));
		outcome.passport.byType.utility_bill!.files!.forEach((file, i) =>
			same(file, `utility_bill-f${i}`)
		);
	}, 60_000);

	it('are handed out once: a second response encrypts afresh, with another secret', async () => {
		const { shelf, reads, readScan } = countingShelf();
		shelf.ref('scan');
		const preparer = new ScanPreparer(readScan);
		await preparer.prepare(['scan']);
		const first = await preparer.take('scan');
		const second = await preparer.take('scan');
		expect(reads).toEqual(['scan', 'scan']);
		expect(Buffer.from(second.secret).equals(Buffer.from(first.secret))).toBe(false);
		expect(Buffer.from(second.ciphertext).equals(Buffer.from(first.ciphertext))).toBe(false);
	});

	it('are dropped when no longer wanted or on discard, and never reused then', async () => {
		const { shelf, reads, readScan } = countingShelf();
		for (const id of ['a', 'b', 'c']) shelf.ref(id);
		const preparer = new ScanPreparer(readScan);
		await preparer.prepare(['a', 'b']);
		// Another choice: b stays, a is dropped, c is new.
		await preparer.prepare(['b', 'c']);
		expect(reads).toEqual(['a', 'b', 'c']);
		expect(preparer.size).toBe(2);
		await preparer.take('a');
		expect(reads).toEqual(['a', 'b', 'c', 'a']);
		preparer.discard();
		expect(preparer.size).toBe(0);
		await preparer.take('b');
		expect(reads).toEqual(['a', 'b', 'c', 'a', 'b']);
	});

	it('that failed (vault locked, scan gone) are done again at Authorize, errors and all', async () => {
		const shelf = new ScanShelf();
		shelf.ref('flaky');
		let failures = 1;
		const readScan = async (id: string) => {
			if (id === 'flaky' && failures-- > 0) throw new Error('locked');
			return shelf.readScan(id);
		};
		const preparer = new ScanPreparer(readScan);
		await preparer.prepare(['flaky', 'missing']);
		expect(preparer.size).toBe(0);
		const blob = await preparer.take('flaky');
		expect(blob.ciphertext.length).toBeGreaterThan(300);
		await expect(preparer.take('missing')).rejects.toThrow(/No scan missing/);
	});

	it('are listed for a row only as far as the request asks', () => {
		const elements = allElements(new ScanShelf());
		const passport = (selfie: boolean, translation: boolean): ScopeElement => ({
			type: 'passport',
			selfie,
			translation,
			native_names: false
		});
		expect(scanIdsToSend(elements.passport, passport(false, false))).toEqual(['passport-front']);
		expect(scanIdsToSend(elements.passport, passport(true, true))).toEqual([
			'passport-front',
			'passport-selfie',
			'passport-tr0',
			'passport-tr1'
		]);
		expect(scanIdsToSend(undefined, passport(true, true))).toEqual([]);
		expect(
			scanIdsToSend(elements.email, {
				type: 'email',
				selfie: false,
				translation: false,
				native_names: false
			})
		).toEqual([]);
	});
});
