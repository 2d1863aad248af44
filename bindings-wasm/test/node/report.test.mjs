// pack.report and diff in Node: the same numbers as the CLI's `report` and
// `diff` on the bundled examples (both built by the core; this checks the
// binding passes records, options and answers through unchanged), and the
// class counts recounted here from the CLI's `score` lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diff, loadPack } from '../../pkg/index.js';
import { join } from 'node:path';
import { cli, cliResults, readText, repo } from '../helpers.mjs';

const NAME = 'examples/doanh-nghiep-2024.jsonl';
const FILE = join(repo, NAME);
const records = readText(NAME).split('\n').filter(Boolean).map((l) => JSON.parse(l));
const DISTRICT = 'tay-ninh.duong-minh-chau.enterprise';

const cliJson = (args) => {
  const run = cli(args);
  assert.ok(run.status === 0 || run.status === 1, run.stderr);
  return JSON.parse(run.stdout);
};

test('pack.report gives the CLI report and counts that match chamdiem score', () => {
  const pack = loadPack(DISTRICT);
  const report = pack.report(records, '2024', { by: 'unit' });
  const fromCli = cliJson(['report', FILE, '--pack', DISTRICT, '--period', '2024', '--format', 'json']);
  const { html, ...data } = report;
  assert.deepStrictEqual(data, fromCli);

  // Recount classes from the score lines.
  const lines = cliResults([FILE, '--pack', DISTRICT, '--period', '2024']);
  const counts = report.classes.map((c) => lines.filter((l) => l.class === c.code).length);
  assert.deepStrictEqual(report.total.classes, counts);
  assert.equal(report.total.errors, lines.filter((l) => l.status === 'error').length);
  assert.equal(report.deadline.due, '2024-11-05');

  assert.match(html, /^<!DOCTYPE html>/);
  assert.equal((html.match(/<g class="bar"/g) ?? []).length, report.groups.length);
  assert.ok(!/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(html), 'self-contained');

  const half = pack.report(records, '2024-H1', { by: 'province', xlsx: true });
  assert.equal(half.deadline.id, 'bao_cao_6_thang');
  assert.equal(half.by, 'province');
  assert.ok(half.xlsx instanceof Uint8Array);
  assert.deepStrictEqual([...half.xlsx.slice(0, 2)], [0x50, 0x4b]); // a zip
  assert.throws(() => pack.report(records, '2024', { by: 'xa' }), /unit/);
});

test('diff gives the CLI diff, and its matrix recounted from two score runs', () => {
  const oldPack = loadPack('vn.enterprise');
  const newPack = loadPack('tay-ninh.enterprise');
  const result = diff(records, oldPack, newPack, '2024');
  const fromCli = cliJson(['diff', FILE, '--old', 'vn.enterprise', '--new', 'tay-ninh.enterprise', '--period', '2024', '--format', 'json']);
  const { html, csv, ...data } = result;
  assert.deepStrictEqual(data, fromCli);

  const outcome = (l) => (l.status === 'scored' ? l.class : l.status);
  const olds = cliResults([FILE, '--pack', 'vn.enterprise', '--period', '2024']).map(outcome);
  const news = cliResults([FILE, '--pack', 'tay-ninh.enterprise', '--period', '2024']).map(outcome);
  const moved = olds.filter((o, i) => o !== news[i]).length;
  assert.ok(moved > 0);
  assert.equal(result.changed_class, moved);
  const row = result.old_classes.findIndex((c) => c.code === 'tot');
  const col = result.new_classes.findIndex((c) => c.code === 'kha');
  assert.equal(result.matrix[row][col], olds.filter((o, i) => o === 'tot' && news[i] === 'kha').length);
  assert.equal(csv.trim().split('\n').length, moved + 1);
  assert.match(html, /Ma trận chuyển xếp loại/);
});
