// The .xlsx writer module (chamdiem_xlsx_bg.wasm): the main module has no
// workbook writer (that is what keeps it small), and what the writer module
// writes is the CLI's workbook, part for part (all but the creation time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { loadPack, loadXlsxWriter, Pack } from '../../pkg/index.js';
import { cli, readText, repo, wasmDir } from '../helpers.mjs';

const NAME = 'examples/doanh-nghiep-2024.jsonl';
const records = readText(NAME).split('\n').filter(Boolean).map((l) => JSON.parse(l));
const DISTRICT = 'tay-ninh.duong-minh-chau.enterprise';
const work = mkdtempSync(join(tmpdir(), 'chamdiem-xlsx-writer-'));

/** The parts of a ZIP archive (an .xlsx): name → bytes, read from its central directory. */
function unzip(bytes) {
  const buf = Buffer.from(bytes);
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, 'a ZIP archive');
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const parts = new Map();
  for (let i = 0; i < count; i += 1) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50);
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLength = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    parts.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + extra + comment;
  }
  return parts;
}

/** The parts as text, the creation time in docProps/core.xml blanked. */
function contents(bytes) {
  const parts = unzip(bytes);
  assert.ok(parts.size > 3, 'an .xlsx has several parts');
  return new Map([...parts].map(([name, data]) => [name,
    data.toString('utf8').replace(/<dcterms:(created|modified)[^>]*>[^<]*</g, '<dcterms:$1>…<')]));
}

/** The CLI's workbook for `args`, written to a file in `work`. */
function cliWorkbook(args, file) {
  const path = join(work, file);
  const run = cli([...args, '-o', path]);
  assert.ok(run.status === 0 || run.status === 1, run.stderr);
  return readFileSync(path);
}

test('the main module has no workbook writer; the writer module has one', async () => {
  const exportsOf = (file) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(wasmDir, 'pkg', file))))
    .map((e) => e.name);
  const main = exportsOf('chamdiem_wasm_bg.wasm');
  const writer = exportsOf('chamdiem_xlsx_bg.wasm');
  assert.ok(main.includes('pack_report') && main.includes('pack_scoreWorkbook'));
  assert.ok(!main.includes('pack_template'));
  assert.ok(writer.includes('pack_template') && writer.includes('pack_report'));
  await loadXlsxWriter();
  await loadXlsxWriter(); // once: a second call is a no-op
});

test('pack.template() is the CLI template, part for part', () => {
  const pack = loadPack('tay-ninh.enterprise');
  const fromCli = cliWorkbook(['template', '--pack', 'tay-ninh.enterprise'], 'mau.xlsx');
  assert.deepStrictEqual(contents(pack.template()), contents(fromCli));
});

test('pack.report(…, {xlsx: true}): the same report as without, and the CLI workbook', () => {
  const pack = loadPack(DISTRICT);
  const { xlsx, ...report } = pack.report(records, '2024', { by: 'province', xlsx: true });
  assert.deepStrictEqual(report, pack.report(records, '2024', { by: 'province' }));
  assert.deepStrictEqual(report, pack.report(records, '2024', { by: 'province', xlsx: false }));
  assert.ok(xlsx instanceof Uint8Array);
  const fromCli = cliWorkbook(['report', join(repo, NAME), '--pack', DISTRICT, '--period', '2024', '--by', 'province'], 'bao-cao.xlsx');
  assert.deepStrictEqual(contents(xlsx), contents(fromCli));
  // Errors come from the writer module as from the main one.
  assert.throws(() => pack.report(records, '2024', { by: 'xa', xlsx: true }), (e) => e.name === 'ChamdiemError' && /unit/.test(e.message));
});

test('a pack from sources is written from a copy of its sources, not from the object later changed', () => {
  const dir = join(repo, 'rules', 'tay-ninh.enterprise');
  const sources = { 'pack.rhai': readFileSync(join(dir, 'pack.rhai'), 'utf8') };
  const pack = Pack.fromSources(sources, 'pack.rhai');
  sources['pack.rhai'] = 'this is not a pack';
  const fromCli = cliWorkbook(['template', '--pack', join(dir, 'pack.rhai')], 'mau-nguon.xlsx');
  assert.deepStrictEqual(contents(pack.template()), contents(fromCli));
});
