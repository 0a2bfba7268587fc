/** Words for what a consent row still lacks: a field or a scan part. */
import type { ElementType } from '$lib/passport/types';
import type { MissingPart } from '$lib/passport/elements/completeness';
import { SCAN_PART_LABELS, fieldLabel } from '$lib/components/elements/labels';

export function missingPartName(type: ElementType, part: MissingPart): string {
	return part.kind === 'field' ? fieldLabel(type, part.field) : SCAN_PART_LABELS[part.part]();
}
