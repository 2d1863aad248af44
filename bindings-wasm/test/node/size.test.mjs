// The size budget of the module a page loads to score (issue: "under 1 MB
// gzipped"): checked on the package `npm run build` makes, so a change that
// grows the module past the budget fails here instead of only printing a
// larger figure. The .xlsx writer is a separate module, loaded on demand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { wasmDir } from '../helpers.mjs';

const BUDGET = 1_000_000; // bytes, gzipped (the smaller reading of "1 MB")

test('the main module stays under 1 MB gzipped (a release build: npm run build)', () => {
  const bytes = readFileSync(join(wasmDir, 'pkg', 'chamdiem_wasm_bg.wasm'));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  assert.ok(gzipped < BUDGET,
    `chamdiem_wasm_bg.wasm is ${gzipped} B gzipped (${bytes.length} B raw), over the budget of ${BUDGET} B`);
});

