// The package's results equal the CLI's, field for field, on the shared
// cases, the example files and every built-in pack's own examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPack, packs } from '../../pkg/index.js';
import { cli, cliResults, readBytes, readText, repo, scoreWholeFile } from '../helpers.mjs';

const CASES = 'tests/cases/vn.enterprise-2024.input.jsonl';
const inputLines = readText(CASES).split('\n').filter((l) => l.trim() !== '');
const cliCases = cliResults(['--pack', 'vn.enterprise', '--period', '2024', join(repo, CASES)]);

test('the CLI gives one result per input line of the shared cases', () => {
  assert.equal(cliCases.length, inputLines.length);
  assert.equal(cliCases.length, 300);
});

test('scoreFile reads the shared cases (broken lines too) as the CLI does', () => {
  const pack = loadPack('vn.enterprise');
  const { results, scoring } = scoreWholeFile(pack, readBytes(CASES), 'jsonl', '2024');
  assert.equal(scoring.count, 300);
  assert.deepStrictEqual(results, cliCases);
});

test('score and scoreMany equal the CLI on every case that is JSON', () => {
  const pack = loadPack('vn.enterprise');
  const parsed = [];
  inputLines.forEach((line, i) => {
    try {
      parsed.push({ record: JSON.parse(line), expected: cliCases[i] });
    } catch {
      // not JSON: a JavaScript caller cannot even hold it (scoreFile covers it)
    }
  });
  assert.ok(parsed.length >= 290, `only ${parsed.length} lines parse`);
  const many = pack.scoreMany(parsed.map((p) => p.record), '2024');
  assert.equal(many.length, parsed.length);
  parsed.forEach(({ record, expected }, i) => {
    assert.deepStrictEqual(pack.score(record, '2024'), expected, `line of id ${expected.id}`);
    assert.deepStrictEqual(many[i], expected, `scoreMany, id ${expected.id}`);
  });
});

test('the shared cases match the independent reference scorer', () => {
  const pack = loadPack('vn.enterprise');
  const expected = readText('tests/cases/vn.enterprise-2024.expected.jsonl')
    .split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
  const { results } = scoreWholeFile(pack, readBytes(CASES), 'jsonl', '2024');
  assert.equal(results.length, expected.length);
  const same = (a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) < 0.005 : false);
  results.forEach((got, i) => {
    const want = expected[i];
    for (const key of ['id', 'status', 'class', 'class_label', 'gates']) {
      assert.deepStrictEqual(got[key], want[key], `${want.id} ${key}`);
    }
    if (want.total === null) assert.equal(got.total, null);
    else assert.ok(same(got.total, want.total), `${want.id} total ${got.total} ≠ ${want.total}`);
    for (const key of ['groups', 'criteria']) {
      assert.deepStrictEqual(Object.keys(got[key]), Object.keys(want[key]), `${want.id} ${key}`);
      for (const id of Object.keys(want[key])) {
        assert.ok(same(got[key][id], want[key][id]), `${want.id} ${key}.${id}`);
      }
    }
    assert.deepStrictEqual(got.errors.map((e) => e.field), want.errors.map((e) => e.field), `${want.id} errors`);
  });
});

test('a CSV file is read and scored as the CLI does, and its CSV output is the same', () => {
  const csvPath = join(repo, 'examples', 'doanh-nghiep-2024.csv');
  for (const id of ['vn.enterprise', 'tay-ninh.enterprise']) {
    const pack = loadPack(id);
    const expected = cliResults(['--pack', id, '--period', '2024', csvPath]);
    const { results, scoring } = scoreWholeFile(pack, readBytes('examples', 'doanh-nghiep-2024.csv'), 'csv', '2024', 250);
    assert.deepStrictEqual(results, expected, id);
    const csv = cli(['score', '--pack', id, '--period', '2024', '--format', 'csv', csvPath]);
    assert.ok(csv.status === 0 || csv.status === 1, csv.stderr);
    assert.equal(scoring.toCsv(), csv.stdout, `${id} CSV`);
  }
});

test("a UTF-16 CSV (Excel's and Notepad's \"Unicode\") scores as its UTF-8 original", () => {
  const csvPath = join(repo, 'examples', 'doanh-nghiep-2024.csv');
  const expected = cliResults(['--period', '2024', csvPath]);
  const text = readText('examples', 'doanh-nghiep-2024.csv');
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const be = Buffer.from(le);
  be.swap16(); // the same text, big-endian, its mark FE FF
  for (const bytes of [le, be]) {
    const { results, scoring } = scoreWholeFile(loadPack('vn.enterprise'), bytes, 'csv', '2024', 250);
    assert.deepStrictEqual(results, expected);
    assert.ok(!scoring.warnings.some((w) => w.includes('UTF-8')), scoring.warnings.join('\n'));
  }
});

test('packs() lists the built-in packs the CLI lists', () => {
  const listed = cli(['packs']).stdout.split('\n').filter((l) => /^\S/.test(l)).map((l) => l.split(/\s+/)[0]);
  assert.deepStrictEqual(packs().map((p) => p.id), listed);
  assert.deepStrictEqual(listed, readdirSync(join(repo, 'rules')).sort());
});

for (const { id } of packs()) {
  test(`every example of ${id} scores as in the CLI, and pack.test() finds no failure`, () => {
    const pack = loadPack(id);
    assert.deepStrictEqual(pack.test(), []);
    const examples = readText('rules', id, 'examples.jsonl').split('\n')
      .filter((l) => l.trim() !== '' && !l.trim().startsWith('//')).map((l) => JSON.parse(l));
    assert.ok(examples.length > 0);
    assert.equal(pack.exampleCount(), examples.length);
    for (const example of examples) {
      const line = JSON.stringify(example.record) + '\n';
      const run = cli(['score', '--pack', id, '--period', example.period, '--format', 'jsonl', '--input-format', 'jsonl'], line);
      if (run.status === 0 || run.status === 1) {
        assert.deepStrictEqual(pack.score(example.record, example.period), JSON.parse(run.stdout), example.name);
      } else {
        // The CLI refuses the whole run (a pack not in force): the package throws the same message.
        assert.throws(() => pack.score(example.record, example.period), (e) => {
          assert.ok(e instanceof Error);
          assert.equal(`chamdiem: ${e.message}\n`, run.stderr, example.name);
          return true;
        });
      }
    }
  });
}
