// The package's entry: loads the WebAssembly module once (from the file in
// Node, with fetch in browsers and workers), then exports the API.
import init, { initSync, Pack } from './chamdiem_wasm.js';

export { packs, loadPack, Pack, FileScoring, diff, diffFile } from './chamdiem_wasm.js';

const wasmUrl = new URL('./chamdiem_wasm_bg.wasm', import.meta.url);

if (wasmUrl.protocol === 'file:' && typeof process === 'object' && process.versions?.node) {
  const { readFile } = await import('node:fs/promises');
  initSync({ module: await readFile(wasmUrl) });
} else {
  await init({ module_or_path: wasmUrl });
}

// scoreMany: the WebAssembly side sends the batch's results as one JSON
// array in which each reason is the index of its text in `reasons`
// (`chamdiem::JsonBatch`); the reasons, most of a result's bytes, cross once
// per batch and the results share their strings. Putting each text back in
// its place gives exactly the CLI's JSON line, key order included.
const scoreManyPacked = Pack.prototype.scoreManyPacked;
delete Pack.prototype.scoreManyPacked;
const defineValue = (object, key, value) => Object.defineProperty(object, key, {
  value, writable: true, enumerable: true, configurable: true,
});

Object.defineProperty(Pack.prototype, 'scoreMany', {
  value: function scoreMany(records, period) {
    const [reasons, body] = scoreManyPacked.call(this, records, period);
    const results = JSON.parse(body);
    for (let i = 0; i < results.length; i += 1) {
      const map = results[i].reasons;
      const keys = Object.keys(map);
      for (let k = 0; k < keys.length; k += 1) {
        const key = keys[k];
        // `__proto__` is an own key in JSON.parse's object; assigning to it
        // would set the prototype instead.
        if (key === '__proto__') defineValue(map, key, reasons[map[key]]);
        else map[key] = reasons[map[key]];
      }
    }
    return results;
  },
  writable: true,
  enumerable: false,
  configurable: true,
});
