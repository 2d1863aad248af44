// The TypeScript types: a program using the API compiles under --strict
// (lib dom: the generated loader names fetch's types, as in any browser build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { wasmDir } from '../helpers.mjs';

test('the package types describe results, descriptions and errors', () => {
  const tsc = join(wasmDir, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync('node', [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--target', 'es2022', '--lib', 'esnext,dom', join(wasmDir, 'test', 'types', 'use.ts')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

test('a wrong use of the types does not compile', () => {
  const tsc = join(wasmDir, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync('node', [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--target', 'es2022', '--lib', 'esnext,dom', join(wasmDir, 'test', 'types', 'misuse.ts')], { encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.match(run.stdout, /misuse\.ts\(\d+,\d+\): error TS2322/);
});
