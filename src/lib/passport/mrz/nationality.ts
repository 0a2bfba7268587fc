/**
 * ICAO 9303 nationality codes (three letters, or `D` for Germany, padded with `<`) to the wallet's
 * ISO 3166-1 alpha-2 countries. Most ICAO codes are ISO alpha-3 codes; the exceptions below are
 * the codes ICAO adds for British nationality classes, Kosovo, organisations and people without
 * a nationality, which have no country of their own.
 */
import countries from 'i18n-iso-countries';
import { isCountryCode } from '../elements/countries.js';

/** Why a nationality code gives no country to propose. */
export type NoCountryReason =
	/** XXA: stateless person (1954 Convention). */
	| 'stateless'
	/** XXB, XXC: refugee. */
	| 'refugee'
	/** XXX: nationality left unspecified by the issuing state. */
	| 'unspecified'
	/** UNO, UNA, UNK, EUE and the X.. codes of international organisations. */
	| 'organisation'
	/** Anything else: a misread or a code this table does not know. */
	| 'unknown';

export type IcaoNationality = { code: string } | { code: ''; reason: NoCountryReason };

/** ICAO codes that are not ISO alpha-3 codes but still name a country. */
const ICAO_COUNTRIES: Readonly<Record<string, string>> = {
	// Germany writes `D<<`, not DEU.
	D: 'DE',
	// British citizens (GBR) and the other British nationality classes: Overseas Territories
	// citizen, National (Overseas), Overseas citizen, Protected person, Subject.
	GBD: 'GB',
	GBN: 'GB',
	GBO: 'GB',
	GBP: 'GB',
	GBS: 'GB',
	// Kosovo: the Republic of Kosovo's passports write RKS; ICAO's interim code is XXK.
	RKS: 'XK',
	XXK: 'XK'
};

const NO_COUNTRY: Readonly<Record<string, NoCountryReason>> = {
	XXA: 'stateless',
	XXB: 'refugee',
	XXC: 'refugee',
	XXX: 'unspecified',
	// United Nations officials and agencies, and UNMIK travel documents for residents of Kosovo.
	UNO: 'organisation',
	UNA: 'organisation',
	UNK: 'organisation',
	EUE: 'organisation',
	XBA: 'organisation',
	XIM: 'organisation',
	XCC: 'organisation',
	XCE: 'organisation',
	XCO: 'organisation',
	XEC: 'organisation',
	XPO: 'organisation',
	XES: 'organisation',
	XOM: 'organisation',
	XDC: 'organisation'
};

/** The wallet's country for an ICAO code as read from the MRZ (fillers `<` allowed). */
export function icaoNationality(raw: string): IcaoNationality {
	const code = raw.replace(/</g, '').toUpperCase();
	const special = ICAO_COUNTRIES[code];
	if (special) return { code: special };
	const reason = NO_COUNTRY[code];
	if (reason) return { code: '', reason };
	if (/^[A-Z]{3}$/.test(code)) {
		const alpha2 = countries.alpha3ToAlpha2(code);
		if (alpha2 && isCountryCode(alpha2)) return { code: alpha2 };
	}
	return { code: '', reason: 'unknown' };
}
