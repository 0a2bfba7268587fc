/** Words for element types, fields and scan parts on the consent screen. */
import { m } from '$lib/paraglide/messages.js';
import type { ElementType } from '$lib/passport/types';
import type { MissingPart } from '$lib/passport/elements/completeness';

export const TYPE_NAMES: Record<ElementType, () => string> = {
	personal_details: m.el_type_personal_details,
	passport: m.el_type_passport,
	identity_card: m.el_type_identity_card,
	driver_license: m.el_type_driver_license,
	internal_passport: m.el_type_internal_passport,
	address: m.el_type_address,
	utility_bill: m.el_type_utility_bill,
	bank_statement: m.el_type_bank_statement,
	rental_agreement: m.el_type_rental_agreement,
	passport_registration: m.el_type_passport_registration,
	temporary_registration: m.el_type_temporary_registration,
	phone_number: m.el_type_phone_number,
	email: m.el_type_email
};

const FIELD_NAMES: Record<string, () => string> = {
	first_name: m.el_field_first_name,
	middle_name: m.el_field_middle_name,
	last_name: m.el_field_last_name,
	birth_date: m.el_field_birth_date,
	gender: m.el_field_gender,
	country_code: m.el_field_country_code,
	residence_country_code: m.el_field_residence_country_code,
	first_name_native: m.el_field_first_name_native,
	middle_name_native: m.el_field_middle_name_native,
	last_name_native: m.el_field_last_name_native,
	document_no: m.el_field_document_no,
	expiry_date: m.el_field_expiry_date,
	street_line1: m.el_field_street_line1,
	street_line2: m.el_field_street_line2,
	city: m.el_field_city,
	state: m.el_field_state,
	post_code: m.el_field_post_code,
	phone_number: m.el_field_phone_number,
	email: m.el_field_email
};

const SCAN_NAMES: Record<string, () => string> = {
	front_side: m.consent_missing_scan_front_side,
	reverse_side: m.consent_missing_scan_reverse_side,
	selfie: m.consent_missing_scan_selfie,
	translation: m.consent_missing_scan_translation,
	files: m.consent_missing_scan_files
};

export function fieldName(type: ElementType, field: string): string {
	// Personal details call their country_code "citizenship".
	if (type === 'personal_details' && field === 'country_code') return m.el_field_citizenship();
	return (FIELD_NAMES[field] ?? (() => field))();
}

export function missingPartName(type: ElementType, part: MissingPart): string {
	return part.kind === 'field'
		? fieldName(type, part.field)
		: (SCAN_NAMES[part.part] ?? (() => part.part))();
}
