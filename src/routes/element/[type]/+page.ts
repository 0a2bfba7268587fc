import { error } from '@sveltejs/kit';
import { isElementType } from '$lib/passport/types';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ params }) => {
	if (!isElementType(params.type)) error(404, 'Unknown element type');
	return { type: params.type };
};
