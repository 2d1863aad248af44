// The package's entry: loads the WebAssembly module once (from the file in
// Node, with fetch in browsers and workers), then exports the API.
import init, { initSync } from './chamdiem_wasm.js';

export { packs, loadPack, Pack, FileScoring, diff, diffFile } from './chamdiem_wasm.js';

const wasmUrl = new URL('./chamdiem_wasm_bg.wasm', import.meta.url);

if (wasmUrl.protocol === 'file:' && typeof process === 'object' && process.versions?.node) {
  const { readFile } = await import('node:fs/promises');
  initSync({ module: await readFile(wasmUrl) });
} else {
  await init({ module_or_path: wasmUrl });
}
