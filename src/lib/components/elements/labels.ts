/**
 * The words for element types, fields, errors and scan parts in the user's language. Maps rather
 * than `m[\`el_err_${code}\`]` so TypeScript proves every code has its message.
 */
import { m } from '$lib/paraglide/messages.js';
import type { CaptureErrorCode } from '$lib/capture/errors';
import type { FieldErrorCode, ScanPart } from '$lib/passport/elements';
import type { ElementType } from '$lib/passport/types';

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

export const ADD_LABELS: Record<ElementType, () => string> = {
	personal_details: m.el_add_personal_details,
	passport: m.el_add_passport,
	identity_card: m.el_add_identity_card,
	driver_license: m.el_add_driver_license,
	internal_passport: m.el_add_internal_passport,
	address: m.el_add_address,
	utility_bill: m.el_add_utility_bill,
	bank_statement: m.el_add_bank_statement,
	rental_agreement: m.el_add_rental_agreement,
	passport_registration: m.el_add_passport_registration,
	temporary_registration: m.el_add_temporary_registration,
	phone_number: m.el_add_phone_number,
	email: m.el_add_email
};

const FIELD_ERRORS: Record<FieldErrorCode, () => string> = {
	required: m.el_err_required,
	too_short: m.el_err_too_short,
	too_long: m.el_err_too_long,
	invalid_chars: m.el_err_invalid_chars,
	invalid_date: m.el_err_invalid_date,
	date_in_future: m.el_err_date_in_future,
	date_too_old: m.el_err_date_too_old,
	invalid_gender: m.el_err_invalid_gender,
	invalid_country: m.el_err_invalid_country,
	invalid_post_code: m.el_err_invalid_post_code,
	invalid_phone: m.el_err_invalid_phone,
	invalid_email: m.el_err_invalid_email
};

export function fieldErrorText(code: FieldErrorCode | undefined): string {
	return code ? FIELD_ERRORS[code]() : '';
}

const CAPTURE_ERRORS: Record<CaptureErrorCode, () => string> = {
	empty_file: m.el_capture_err_empty_file,
	file_too_large: m.el_capture_err_file_too_large,
	not_an_image: m.el_capture_err_not_an_image,
	processing_failed: m.el_capture_err_processing_failed
};

export function captureErrorText(code: CaptureErrorCode): string {
	return CAPTURE_ERRORS[code]();
}

const FIELD_LABELS: Record<string, () => string> = {
	first_name: m.el_field_first_name,
	middle_name: m.el_field_middle_name,
	last_name: m.el_field_last_name,
	birth_date: m.el_field_birth_date,
	gender: m.el_field_gender,
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
	country_code: m.el_field_country_code,
	post_code: m.el_field_post_code,
	phone_number: m.el_field_phone_number,
	email: m.el_field_email
};

/** personal_details.country_code is the citizenship; everywhere else country_code is the country. */
export function fieldLabel(type: ElementType, key: string): string {
	if (type === 'personal_details' && key === 'country_code') return m.el_field_citizenship();
	return FIELD_LABELS[key]?.() ?? key;
}

export const SCAN_PART_LABELS: Record<ScanPart, () => string> = {
	front_side: m.el_scan_front_side,
	reverse_side: m.el_scan_reverse_side,
	selfie: m.el_scan_selfie,
	translation: m.el_scan_translation,
	files: m.el_scan_files
};

/** "Middle name (optional)" for a field that may stay empty. */
export function withOptional(label: string, required: boolean): string {
	return required ? label : m.el_field_optional({ label });
}
