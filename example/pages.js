/**
 * The example service's HTML. Every value from a delivery is escaped: it is data a stranger typed.
 */

export function escapeHtml(value) {
	return String(value ?? '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

/**
 * The tab icon, inline: the pages' policy allows images from data: only, and a browser that asks
 * for /favicon.ico on its own (Firefox) reports the refusal as a CSP error in the console.
 */
const FAVICON = `data:image/svg+xml,${encodeURIComponent(
	'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1f4e8c"/><path d="M9 23V9h8a5 5 0 0 1 0 10h-8" fill="none" stroke="#fff" stroke-width="3"/></svg>'
)}`;

function layout(title, body) {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Example Service</title>
<link rel="icon" href="${FAVICON}">
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1d2433; }
h1 { font-size: 1.5rem; }
.papiers-sign-up { display: inline-block; padding: .7em 1.2em; border-radius: .5em; background: #1f4e8c; color: #fff; font-weight: 600; text-decoration: none; }
.notice { padding: .8rem 1rem; border-radius: .5rem; background: #fff4e5; border: 1px solid #f0c36d; }
.error { background: #fdecea; border-color: #e4a3a0; }
fieldset { border: 1px solid #ccd; border-radius: .5rem; margin: 1rem 0; }
label { display: block; margin: .4rem 0; }
label span { display: inline-block; min-width: 11rem; color: #555; }
input { font: inherit; padding: .2rem .4rem; }
.scans { display: flex; flex-wrap: wrap; gap: .5rem; }
.scans figure { margin: 0; text-align: center; font-size: .8rem; color: #555; }
.scans img { width: 8rem; height: 6rem; object-fit: cover; border: 1px solid #ccd; border-radius: .3rem; }
code { font-size: .85em; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export function signUpPage({ consentUrl, fingerprint, walletUrl }) {
	return layout(
		'Sign up',
		`<h1>Create your Example Service account</h1>
<p>We need your name, birth date, an ID document with a selfie, your address with a proof of address,
your phone number and your email. Papiers fills the form for you: your papers stay on your device
until you agree to share them, and only this service can read them.</p>
<p><a class="papiers-sign-up" id="papiers-sign-up" href="${escapeHtml(consentUrl)}">Sign up with Papiers</a></p>
<p><small>Wallet: ${escapeHtml(walletUrl)}<br>Our key fingerprint (Papiers shows the same):<br><code>${escapeHtml(fingerprint)}</code></small></p>`
	);
}

function input(label, name, value, type = 'text') {
	return `<label><span>${escapeHtml(label)}</span><input name="${escapeHtml(name)}" type="${type}" value="${escapeHtml(value)}"></label>`;
}

function dataUrl(file) {
	return `data:image/jpeg;base64,${Buffer.from(file.bytes).toString('base64')}`;
}

function scanFigures(element) {
	const scans = [];
	const add = (caption, file) => file?.bytes && scans.push([caption, file]);
	add('Front side', element.front_side);
	add('Reverse side', element.reverse_side);
	add('Selfie', element.selfie);
	(element.files ?? []).forEach((file, index) => add(`Page ${index + 1}`, file));
	(element.translation ?? []).forEach((file, index) => add(`Translation ${index + 1}`, file));
	return scans
		.map(
			([caption, file]) =>
				`<figure><img alt="${escapeHtml(caption)}" src="${dataUrl(file)}"><figcaption>${escapeHtml(caption)}</figcaption></figure>`
		)
		.join('\n');
}

const DOCUMENT_NAMES = {
	passport: 'Passport',
	driver_license: 'Driving licence',
	identity_card: 'Identity card',
	internal_passport: 'Internal passport',
	utility_bill: 'Utility bill',
	bank_statement: 'Bank statement',
	rental_agreement: 'Rental agreement',
	passport_registration: 'Passport registration',
	temporary_registration: 'Temporary registration'
};

/** The sign-up form, filled in from a decrypted delivery. */
export function filledFormPage(passport) {
	const { byType } = passport;
	const person = byType.personal_details?.data ?? {};
	const address = byType.address?.data ?? {};
	const idDocument = ['passport', 'driver_license', 'identity_card', 'internal_passport']
		.map((type) => byType[type])
		.find(Boolean);
	const proof = [
		'utility_bill',
		'bank_statement',
		'rental_agreement',
		'passport_registration',
		'temporary_registration'
	]
		.map((type) => byType[type])
		.find(Boolean);
	const phone = byType.phone_number?.phone_number;
	return layout(
		'Check your details',
		`<h1>Check your details and choose a password</h1>
<p class="notice">Filled in from Papiers. Correct anything that is wrong.</p>
<form method="post" action="/register">
<fieldset><legend>You</legend>
${input('First name', 'first_name', person.first_name)}
${input('Middle name', 'middle_name', person.middle_name)}
${input('Last name', 'last_name', person.last_name)}
${input('Birth date', 'birth_date', person.birth_date)}
${input('Gender', 'gender', person.gender)}
${input('Citizenship', 'country_code', person.country_code)}
${input('Country of residence', 'residence_country_code', person.residence_country_code)}
</fieldset>
<fieldset><legend>Address</legend>
${input('Street', 'street_line1', address.street_line1)}
${input('Street (line 2)', 'street_line2', address.street_line2)}
${input('City', 'city', address.city)}
${input('State', 'state', address.state)}
${input('Post code', 'post_code', address.post_code)}
${input('Country', 'address_country_code', address.country_code)}
</fieldset>
<fieldset><legend>Contact</legend>
${input('Phone', 'phone', phone ? `+${phone}` : '', 'tel')}
${input('Email', 'email', byType.email?.email, 'email')}
</fieldset>
${
	idDocument
		? `<fieldset><legend>${escapeHtml(DOCUMENT_NAMES[idDocument.type])}</legend>
${input('Document number', 'document_no', idDocument.data?.document_no)}
${input('Expiry date', 'expiry_date', idDocument.data?.expiry_date)}
<div class="scans">${scanFigures(idDocument)}</div>
</fieldset>`
		: ''
}
${
	proof
		? `<fieldset><legend>Proof of address: ${escapeHtml(DOCUMENT_NAMES[proof.type])}</legend>
<div class="scans">${scanFigures(proof)}</div>
</fieldset>`
		: ''
}
<fieldset><legend>Password</legend>
${input('Password', 'password', '', 'password')}
</fieldset>
<p><button type="submit">Create my account</button></p>
</form>`
	);
}

export function messagePage({ title, message, isError = false, status }) {
	const detail = status ? `<p><small>${escapeHtml(status)}</small></p>` : '';
	return layout(
		title,
		`<h1>${escapeHtml(title)}</h1>
<p class="notice${isError ? ' error' : ''}" id="message">${escapeHtml(message)}</p>
${detail}<p><a href="/">Back to sign-up</a></p>`
	);
}
