// The package's entry: loads the WebAssembly module once (from the file in
// Node, with fetch in browsers and workers), then exports the API.
//
// Writing .xlsx (`pack.template()`, `pack.report(…, {xlsx: true})`) lives in
// a second module (chamdiem_xlsx_bg.wasm: the same core with its workbook
// writer), so that the module a page loads to score stays small. It is
// loaded the first time a workbook is written (in Node, synchronously) or by
// `await loadXlsxWriter()` (needed first in browsers and workers). The pack
// is loaded there again from the same id or the same sources: same core, same
// sources, same answer; its fingerprint is checked to be the same.
import init, { initSync, loadPack as loadMainPack, FileScoring, Pack } from './chamdiem_wasm.js';

export { packs, Pack, FileScoring, diff, diffFile } from './chamdiem_wasm.js';

const wasmUrl = new URL('./chamdiem_wasm_bg.wasm', import.meta.url);
const writerUrl = new URL('./chamdiem_xlsx_bg.wasm', import.meta.url);
const inNode = wasmUrl.protocol === 'file:' && typeof process === 'object' && process.versions?.node;

let readFileSync = null;
// The writer module's JavaScript (wasm-bindgen's glue): imported here in
// Node, where the writer may be loaded synchronously; on request elsewhere.
let writerGlue = null;
if (inNode) {
  ({ readFileSync } = await import('node:fs'));
  initSync({ module: readFileSync(wasmUrl) });
  writerGlue = await import('./chamdiem_xlsx.js');
} else {
  await init({ module_or_path: wasmUrl });
}

// scoreMany: the WebAssembly side sends the batch's results as one JSON
// array in which each reason is the index of its text in `reasons`
// (`chamdiem::JsonBatch`); the reasons, most of a result's bytes, cross once
// per batch and the results share their strings. Putting each text back in
// its place gives exactly the CLI's JSON line, key order included.
//
// The records cross as JSON Lines, one text per chunk of CHUNK records (one
// copy into WebAssembly per chunk instead of one per record). A chunk with a
// record JSON.stringify cannot write as an object's text (a BigInt, a cycle,
// undefined, a toJSON that returns nothing) is sent record by record, which
// gives that record its error result; the others get the same results.
const scoreManyPacked = Pack.prototype.scoreManyPacked;
const scoreManyLines = Pack.prototype.scoreManyLines;
const stepPacked = FileScoring.prototype.stepPacked;
delete Pack.prototype.scoreManyPacked;
delete Pack.prototype.scoreManyLines;
delete FileScoring.prototype.stepPacked;
const CHUNK = 2048;
const defineValue = (object, key, value) => Object.defineProperty(object, key, {
  value, writable: true, enumerable: true, configurable: true,
});

// The chunk as JSON Lines, or null (see above).
function chunkLines(chunk) {
  const lines = new Array(chunk.length);
  try {
    for (let i = 0; i < chunk.length; i += 1) {
      const text = JSON.stringify(chunk[i]);
      if (typeof text !== 'string') return null;
      lines[i] = text;
    }
  } catch {
    return null;
  }
  return lines.join('\n');
}

// Appends a packed batch's results to `results`, each reason's index
// replaced by its text.
function unpack([reasons, body], results) {
  const batch = JSON.parse(body);
  for (let i = 0; i < batch.length; i += 1) {
    const map = batch[i].reasons;
    const keys = Object.keys(map);
    for (let k = 0; k < keys.length; k += 1) {
      const key = keys[k];
      // `__proto__` is an own key in JSON.parse's object; assigning to it
      // would set the prototype instead.
      if (key === '__proto__') defineValue(map, key, reasons[map[key]]);
      else map[key] = reasons[map[key]];
    }
    results.push(batch[i]);
  }
  return results;
}

Object.defineProperty(Pack.prototype, 'scoreMany', {
  value: function scoreMany(records, period) {
    // Not an array, or empty: one call, which also checks the period.
    if (!Array.isArray(records) || records.length === 0) {
      return unpack(scoreManyPacked.call(this, records, period), []);
    }
    const results = [];
    for (let start = 0; start < records.length; start += CHUNK) {
      const chunk = records.slice(start, start + CHUNK);
      const text = chunkLines(chunk);
      const packed = text === null ? null : scoreManyLines.call(this, text, chunk.length, period);
      unpack(packed ?? scoreManyPacked.call(this, chunk, period), results);
    }
    return results;
  },
  writable: true,
  enumerable: false,
  configurable: true,
});

// A file's results come back the same way, a step at a time.
Object.defineProperty(FileScoring.prototype, 'step', {
  value: function step(max) {
    return unpack(stepPacked.call(this, max), []);
  },
  writable: true,
  enumerable: false,
  configurable: true,
});

let writerReady = false;
let writerLoading = null;

/**
 * Loads the module that writes .xlsx workbooks (once; later calls return at
 * once). Node loads it by itself when first needed; browsers and workers
 * must await this before `pack.template()` or `pack.report(…, {xlsx: true})`.
 */
export function loadXlsxWriter() {
  if (writerReady) return Promise.resolve();
  writerLoading ??= (inNode
    ? Promise.resolve().then(() => writerGlue.initSync({ module: readFileSync(writerUrl) }))
    : import('./chamdiem_xlsx.js').then((glue) => { writerGlue = glue; return glue.default({ module_or_path: writerUrl }); })
  ).then(() => { writerReady = true; }, (error) => { writerLoading = null; throw error; });
  return writerLoading;
}

function writer() {
  if (writerReady) return;
  if (inNode) {
    writerGlue.initSync({ module: readFileSync(writerUrl) });
    writerReady = true;
    return;
  }
  const error = new Error('chưa nạp mô-đun viết bảng tính .xlsx: hãy gọi `await loadXlsxWriter()` trước');
  error.name = 'ChamdiemError';
  error.code = 'XLSX_WRITER_NOT_LOADED';
  throw error;
}

// How to load each pack again in the writer module: from its built-in id or
// from a copy of its sources (what `fromSources` read: own enumerable keys).
const origins = new WeakMap();
const writerPacks = new WeakMap();
const copy = (object) => (object === null || object === undefined ? object : Object.fromEntries(Object.entries(object)));

export function loadPack(id) {
  const pack = loadMainPack(id);
  origins.set(pack, () => writerGlue.loadPack(id));
  return pack;
}

const fromSources = Pack.fromSources;
Pack.fromSources = function (sources, entry, limits) {
  const pack = fromSources.call(this, sources, entry, limits);
  const files = copy(sources);
  const limitsCopy = copy(limits);
  origins.set(pack, () => writerGlue.Pack.fromSources(files, entry, limitsCopy));
  return pack;
};

/** The writer module's copy of `pack`, loaded once. */
function writerPack(pack) {
  writer();
  let copy = writerPacks.get(pack);
  if (copy === undefined) {
    const origin = origins.get(pack);
    if (origin === undefined) throw new TypeError('not a Pack of this package');
    copy = origin();
    if (copy.fingerprint !== pack.fingerprint) {
      throw new Error(`the writer module loaded pack ${copy.fingerprint}, not ${pack.fingerprint}`);
    }
    writerPacks.set(pack, copy);
  }
  return copy;
}

/** The pack's blank input workbook (`.xlsx` bytes): see `index.d.ts`. */
Pack.prototype.template = function () {
  return writerPack(this).template();
};

const report = Pack.prototype.report;
Pack.prototype.report = function (records, period, options) {
  const xlsx = (typeof options === 'object' || typeof options === 'function') && options !== null && options.xlsx;
  return xlsx ? writerPack(this).report(records, period, options) : report.call(this, records, period, options);
};
