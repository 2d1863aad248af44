// Excel in, in Node: a workbook filled as a person fills the template
// (tests/workbooks/cong-doan-a.xlsx, made by tests/workbooks/make.py with
// openpyxl) gives the CLI's results for the same file, row by row, and the
// template the package writes is one the CLI reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPack } from '../../pkg/index.js';
import { cliResults, readBytes, repo } from '../helpers.mjs';

const FILE = join(repo, 'tests', 'workbooks', 'cong-doan-a.xlsx');

test('pack.scoreWorkbook gives the CLI results for a filled workbook', () => {
  const pack = loadPack('vn.enterprise');
  const results = pack.scoreWorkbook(readBytes('tests', 'workbooks', 'cong-doan-a.xlsx'), '2024', {});
  const fromCli = cliResults([FILE, '--period', '2024']);
  assert.equal(results.length, 40);
  assert.equal(results.length, fromCli.length);
  results.forEach((result, i) => {
    const { source, ...rest } = result;
    const { source: cliSource, ...cliRest } = fromCli[i];
    assert.deepStrictEqual(rest, cliRest, `row ${i + 3}`);
    assert.deepStrictEqual(source, { sheet: cliSource.sheet, row: cliSource.row });
    assert.equal(source.row, i + 3, 'rows 1 and 2 are the labels and keys');
  });
  assert.ok(results.some((r) => r.status === 'scored'));
  // A sheet that is not there is named in the error.
  assert.throws(() => pack.scoreWorkbook(readBytes('tests', 'workbooks', 'cong-doan-a.xlsx'), '2024', { sheet: 'Không có' }), /Không có/);
  // Bytes that are not a workbook throw an Error with a code.
  assert.throws(() => pack.scoreWorkbook(new Uint8Array([1, 2, 3]), '2024', {}), (e) => e instanceof Error && typeof e.code === 'string');
});

test('the template from the package is read by the CLI (no records, its fields as header)', () => {
  const pack = loadPack('tay-ninh.enterprise');
  const bytes = pack.template();
  assert.equal(Buffer.from(bytes.slice(0, 2)).toString(), 'PK', 'an .xlsx is a ZIP');
  const dir = mkdtempSync(join(tmpdir(), 'chamdiem-template-'));
  const path = join(dir, 'mau.xlsx');
  writeFileSync(path, bytes);
  assert.deepStrictEqual(cliResults([path, '--pack', 'tay-ninh.enterprise', '--period', '2024']), []);
  assert.deepStrictEqual(pack.scoreWorkbook(bytes, '2024', {}), []);
});
