// Everything runs on the device: no server rendering, the fallback shell serves every route.
export const ssr = false;
export const prerender = false;
