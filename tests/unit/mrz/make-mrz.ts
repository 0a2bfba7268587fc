/**
 * Builds MRZ lines from data with ICAO 9303 check digits (weights 7, 3, 1), so tests state the
 * data they mean and the lines follow. Written from the specification, independent of the parser.
 */

const VALUES = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function checkDigit(text: string): string {
	let sum = 0;
	[...text].forEach((char, index) => {
		const value = char === '<' ? 0 : VALUES.indexOf(char);
		if (value < 0) throw new Error(`Not an MRZ character: ${char}`);
		sum += value * [7, 3, 1][index % 3];
	});
	return String(sum % 10);
}

const pad = (text: string, length: number) => {
	if (text.length > length) throw new Error(`${text} is longer than ${length}`);
	return text + '<'.repeat(length - text.length);
};
const withCheck = (text: string) => text + checkDigit(text);

export interface MrzData {
	documentNo: string;
	issuer?: string;
	nationality: string;
	/** YYMMDD */
	birth: string;
	sex: 'M' | 'F' | '<';
	/** YYMMDD */
	expiry: string;
	lastName: string;
	givenNames: string;
}

const nameZone = ({ lastName, givenNames }: MrzData, length: number) =>
	pad(`${lastName.replace(/ /g, '<')}<<${givenNames.replace(/ /g, '<')}`.slice(0, length), length);

export function td3(data: MrzData): string[] {
	const issuer = pad(data.issuer ?? data.nationality, 3);
	const line1 = `P<${issuer}${nameZone(data, 39)}`;
	const documentNo = withCheck(pad(data.documentNo, 9));
	const birth = withCheck(data.birth);
	const expiry = withCheck(data.expiry);
	const personal = pad('', 14) + '<';
	const composite = checkDigit(documentNo + birth + expiry + personal);
	const line2 = `${documentNo}${pad(data.nationality, 3)}${birth}${data.sex}${expiry}${personal}${composite}`;
	return [line1, line2];
}

export function td2(data: MrzData): string[] {
	const issuer = pad(data.issuer ?? data.nationality, 3);
	const line1 = `I<${issuer}${nameZone(data, 31)}`;
	const documentNo = withCheck(pad(data.documentNo, 9));
	const birth = withCheck(data.birth);
	const expiry = withCheck(data.expiry);
	const optional = pad('', 7);
	const composite = checkDigit(documentNo + birth + expiry + optional);
	const line2 = `${documentNo}${pad(data.nationality, 3)}${birth}${data.sex}${expiry}${optional}${composite}`;
	return [line1, line2];
}

export function td1(data: MrzData): string[] {
	const issuer = pad(data.issuer ?? data.nationality, 3);
	const line1 = `I<${issuer}${withCheck(pad(data.documentNo, 9))}${pad('', 15)}`;
	const start = `${withCheck(data.birth)}${data.sex}${withCheck(data.expiry)}${pad(data.nationality, 3)}${pad('', 11)}`;
	const composite = checkDigit(
		line1.slice(5, 30) + start.slice(0, 7) + start.slice(8, 15) + start.slice(18, 29)
	);
	return [line1, start + composite, nameZone(data, 30)];
}

/** The line with one character replaced. */
export function replaceAt(line: string, index: number, char: string): string {
	return line.slice(0, index) + char + line.slice(index + 1);
}
