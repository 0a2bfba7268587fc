// The Content-Security-Policy header, taken from the meta tag SvelteKit writes into the built
// shell (kit.csp in svelte.config.js), so there is one source: the script hashes of the build
// being served. A meta tag cannot carry `frame-ancestors` (browsers ignore it there), so the
// header adds it: the consent page must never be framed.
import { readFileSync, statSync } from 'node:fs';

const FRAME_ANCESTORS = "frame-ancestors 'none'";

/** For answers with no page (400, 404, 405, 503): nothing may load, nothing may frame them. */
export const ERROR_POLICY = `default-src 'none'; ${FRAME_ANCESTORS}`;

/** Per file, keyed on what changes when a build is deployed over it. */
const cache = new Map();

const ENTITIES = { '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&lt;': '<', '&gt;': '>' };

function decodeAttribute(value) {
	return value
		.replace(/&(quot|#39|#x27|lt|gt);/g, (entity) => ENTITIES[entity])
		.replace(/&amp;/g, '&');
}

/** The content of `<meta http-equiv="content-security-policy" content="…">`, if any. */
export function metaPolicy(html) {
	for (const [tag] of html.matchAll(/<meta\b[^>]*>/gi)) {
		const attributes = {};
		for (const match of tag.matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
			attributes[match[1].toLowerCase()] = decodeAttribute(match[2] ?? match[3]);
		}
		if (attributes['http-equiv']?.toLowerCase() === 'content-security-policy') {
			return attributes.content;
		}
	}
	return undefined;
}

/** The meta policy with `frame-ancestors 'none'` added (unless it names its own). */
export function headerPolicy(meta) {
	const directives = (meta ?? '')
		.split(';')
		.map((directive) => directive.trim())
		.filter(Boolean);
	if (!directives.some((directive) => /^frame-ancestors(\s|$)/i.test(directive))) {
		directives.push(FRAME_ANCESTORS);
	}
	return directives.join('; ');
}

/** The header for a page, from its own meta tag; undefined when it has none. */
export function pagePolicy(html) {
	const meta = metaPolicy(html);
	return meta === undefined ? undefined : headerPolicy(meta);
}

/**
 * The header for an HTML file of the build: its own meta policy, re-read when the file changes
 * (a new build has new script hashes). Without a readable meta tag, framing is still refused.
 */
export function contentSecurityPolicy(htmlPath) {
	let stamp;
	try {
		const stats = statSync(htmlPath);
		stamp = `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
	} catch {
		return FRAME_ANCESTORS;
	}
	const known = cache.get(htmlPath);
	if (known?.stamp === stamp) return known.policy;
	let policy;
	try {
		policy = headerPolicy(metaPolicy(readFileSync(htmlPath, 'utf8')));
	} catch {
		return FRAME_ANCESTORS;
	}
	cache.set(htmlPath, { stamp, policy });
	return policy;
}

// `node scripts/csp-header.js [build/index.html]` prints the header for another host's config.
if (import.meta.url === `file://${process.argv[1]}`) {
	console.log(contentSecurityPolicy(process.argv[2] ?? 'build/index.html'));
}
