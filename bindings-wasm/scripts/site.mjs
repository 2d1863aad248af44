// Lays out the static page in site/: the page's files and the built package
// in site/pkg/. Everything it needs is there; serve it from any static host.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const site = join(here, 'site');
if (!existsSync(join(here, 'pkg', 'index.js'))) throw new Error('pkg/ is missing: run `npm run build` first');
rmSync(site, { recursive: true, force: true });
mkdirSync(site);
cpSync(join(here, 'www'), site, { recursive: true });
cpSync(join(here, 'pkg'), join(site, 'pkg'), { recursive: true });
console.log(`site ready in ${site}`);
