// pack.sensitivity in Node: the hand-checked case, and the same object as the
// CLI's `sensitivity -o FILE.json` for the bundled example file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPack, Pack } from '../../pkg/index.js';
import { cli, readText, repo } from '../helpers.mjs';

const HAND = `
pack(#{ id: "t.hand", title: "Tay", version: "1", max_points: 100 });
field("id", #{ type: "string" });
field("a", #{ type: "bool" });
field("b", #{ type: "int", min: 0, max: 4 });
group("1", #{ label: "Một" });
criterion("A", #{ group: "1", points: 50, label: "A", rule: |r| if r.a { pass("có") } else { fail("không") } });
criterion("B", #{ group: "1", points: 50, label: "B", rule: |r| part(r.b, 4, "phần") });
band("dat", #{ label: "Đạt", min: 50 });
band("chua", #{ label: "Chưa đạt", min: 0 });
`;

test('the hand-checked case: far from the threshold never moves, on it does', () => {
  // Under ±10 % A's points and the threshold both lie in [45, 55].
  const pack = Pack.fromSources({ 'pack.rhai': HAND }, 'pack.rhai');
  const records = [
    { id: 'full', a: true, b: 4 },
    { id: 'none', a: false, b: 0 },
    { id: 'a-only', a: true, b: 0 },
    { id: 'a-half', a: true, b: 2 },
  ];
  const analysis = pack.sensitivity(records, '2024', { samples: 300, seed: 4 });
  const byId = Object.fromEntries(analysis.records.map((r) => [r.id, r]));
  for (const id of ['full', 'none', 'a-half']) assert.equal(byId[id].stability, 1, id);
  const edge = byId['a-only'];
  assert.ok(edge.stability > 0 && edge.stability < 1, `${edge.stability}`);
  assert.equal(edge.counts.dat + edge.counts.chua, 300);
  assert.deepEqual(Object.keys(edge.shares), ['dat', 'chua']);
  const a = analysis.criteria.find((c) => c.id === 'A');
  assert.deepEqual([a.moved_up, a.moved_down, a.moved], [0, 1, 1]);
  assert.throws(() => pack.sensitivity(records, '2024', { vary: 'nhiều' }), /vary/);
});

test('the same object as the CLI writes for the example file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chamdiem-sens-'));
  try {
    const out = join(dir, 's.json');
    const run = cli(['sensitivity', join(repo, 'examples/doanh-nghiep-2024.jsonl'), '--period', '2024',
      '--samples', '40', '--seed', '2', '-o', out]);
    assert.equal(run.status, 1, run.stderr); // the file's 9 records in error
    const expected = JSON.parse(readFileSync(out, 'utf8'));
    const records = readText('examples/doanh-nghiep-2024.jsonl').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const analysis = loadPack('vn.enterprise').sensitivity(records, '2024', { samples: 40, seed: 2 });
    assert.deepStrictEqual(analysis, expected);
    assert.equal(analysis.records.length, 300);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
