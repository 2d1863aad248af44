// Builds the npm package in pkg/: the crate for wasm32 (profile `wasm`),
// wasm-bindgen (ES module for browsers), wasm-opt -Oz, twice (the main module
// and the .xlsx writer), then the entry module, types and package.json.
// Usage: node scripts/build.mjs [--debug] [--no-opt]
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(here);
const pkg = join(here, 'pkg');
const debug = process.argv.includes('--debug');
const profile = debug ? 'debug' : 'wasm';
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });

const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
const pinned = lock.match(/name = "wasm-bindgen"\nversion = "([^"]+)"/)[1];
const have = execFileSync('wasm-bindgen', ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
if (have !== pinned) {
  throw new Error(`wasm-bindgen-cli ${have} ≠ ${pinned} (Cargo.lock): cargo install wasm-bindgen-cli --version ${pinned}`);
}

rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg);
// Two modules from the one crate: the main one (everything but writing
// .xlsx) and the writer (the same with feature `xlsx-write`), which
// index.js loads only to write a workbook.
const modules = [
  { name: 'chamdiem_wasm', features: [] },
  { name: 'chamdiem_xlsx', features: ['--features', 'xlsx-write'] },
];
// wasm-opt from npm's binaryen (Debian's binaryen 108 is too old for the
// reference types wasm-bindgen emits: its output fails to instantiate).
const wasmOpt = join(here, 'node_modules', 'binaryen', 'bin', 'wasm-opt');
const built = join(root, 'target', 'wasm32-unknown-unknown', profile, 'chamdiem_wasm.wasm');
for (const { name, features } of modules) {
  run('cargo', ['build', '-p', 'chamdiem-wasm', '--target', 'wasm32-unknown-unknown',
    ...(debug ? [] : ['--profile', 'wasm']), ...features]);
  run('wasm-bindgen', ['--target', 'web', '--out-dir', pkg, '--out-name', name, built]);
  const wasm = join(pkg, `${name}_bg.wasm`);
  const size = () => {
    const bytes = readFileSync(wasm);
    return `${bytes.length} B raw, ${gzipSync(bytes, { level: 9 }).length} B gzipped`;
  };
  console.log(`${name}: wasm-bindgen output: ${size()}`);
  if (!debug && !process.argv.includes('--no-opt')) {
    run('node', [wasmOpt, '-Oz', '--strip-debug', '--strip-producers', wasm, '-o', wasm]);
    console.log(`${name}: after wasm-opt -Oz: ${size()}`);
  }
}

for (const file of ['index.js', 'index.d.ts']) copyFileSync(join(here, 'js', file), join(pkg, file));
copyFileSync(join(here, 'README.md'), join(pkg, 'README.md'));
const version = readFileSync(join(root, 'Cargo.toml'), 'utf8').match(/\nversion = "([^"]+)"/)[1];
writeFileSync(join(pkg, 'package.json'), JSON.stringify({
  name: 'chamdiem',
  version,
  description: 'Chấm điểm thực hiện dân chủ ở cơ sở tại nơi làm việc — rule packs in Rhai, scored by WebAssembly in Node and browsers.',
  license: 'MIT OR Apache-2.0',
  type: 'module',
  main: './index.js',
  module: './index.js',
  types: './index.d.ts',
  exports: { '.': { types: './index.d.ts', default: './index.js' }, './package.json': './package.json' },
  files: ['index.js', 'index.d.ts', 'chamdiem_wasm.js', 'chamdiem_wasm.d.ts', 'chamdiem_wasm_bg.wasm', 'chamdiem_wasm_bg.wasm.d.ts',
    'chamdiem_xlsx.js', 'chamdiem_xlsx.d.ts', 'chamdiem_xlsx_bg.wasm', 'chamdiem_xlsx_bg.wasm.d.ts', 'README.md'],
  engines: { node: '>=18' },
  sideEffects: ['./index.js'],
}, null, 2) + '\n');
rmSync(join(pkg, '.gitignore'), { force: true });
console.log(`built ${pkg} (${statSync(join(pkg, 'chamdiem_wasm_bg.wasm')).size} B main wasm, ${statSync(join(pkg, 'chamdiem_xlsx_bg.wasm')).size} B writer wasm)`);
