// `npm run build:kit`: the service kit as one plain ES module, dist/service-kit.js, for services.
import { fileURLToPath } from 'node:url';
import { buildKit } from '../example/build-kit.js';

const out = await buildKit(fileURLToPath(new URL('../dist', import.meta.url)));
console.log(`Service kit written to ${out}`);
