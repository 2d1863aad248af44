// scoreMany's batch format (reasons sent once per batch, the rest as ASCII
// JSON, objects rebuilt in index.js) against the plain path, for every
// built-in pack: each result must equal `score` of the record alone and the
// CLI's JSON line, value for value and key for key, in the same order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPack, packs, Pack } from '../../pkg/index.js';
import { cliResults, readText, repo } from '../helpers.mjs';

/** Records from examples/generate.py: about a third of them broken. */
function generated(seed, count) {
  const text = execFileSync('python3', [join(repo, 'examples', 'generate.py'), '--count', String(count),
    '--year', '2024', '--seed', String(seed), '--format', 'jsonl', '--bad-fraction', '0.3'], { encoding: 'utf8' });
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const good = generated(3, 1)[0];
// Values that are not records, invalid records, and texts JSON must escape.
const hostile = [
  42, null, 'chuỗi', true, [1, 2], [], {}, 0, -0, 3.5, undefined, 10n,
  { ...good, employees: 'nhiều' },
  { ...good, employees: 1e21 },
  { ...good, employees: 420.0000000001 },
  { ...good, bogus_field: 1, __proto__: { inherited: true } },
  JSON.parse('{"__proto__": 1, "id": "x"}'),
  { ...good, id: 7 },
  { ...good, id: 'mã "lạ" \\ \n \u2028 \u{1F600} \u0000' },
  { ...good, name: 'Công ty “Ánh Dương” \u{1F600} \\ \n tab\t \u2029 \u007f \u0080 \uFFFF' },
  { ...good, name: '\ud800 nửa cặp' },
  { ...good, unit: { lồng: [[1, 2.5, -0, null, { a: 'ă' }]], 'khóa "lạ"': true } },
  { ...good, province: 12345678901234567890 },
  { ...good, workers_conference_date: '2024-13-45' },
  { ...good, periodic_dialogue_dates: ['2024-06-01', 'không phải ngày', 3] },
];

/** The JSON text of a value with its keys in order: equal texts mean the
 * same values and the same key order (deepStrictEqual ignores key order). */
const ordered = (value) => JSON.stringify(value);

function assertSame(actual, expected, what) {
  assert.deepStrictEqual(actual, expected, what);
  assert.equal(ordered(actual), ordered(expected), `${what}: key order`);
}

/** scoreMany against score, record by record. */
function agreesWithScore(pack, records, period = '2024') {
  const many = pack.scoreMany(records, period);
  assert.equal(many.length, records.length);
  records.forEach((record, i) => {
    let alone;
    try {
      alone = pack.score(record, period);
    } catch (error) {
      // score throws where the batch gives the record an error result.
      assert.equal(many[i].status, 'error', `record ${i}: ${error.message}`);
      assert.ok(many[i].errors[0].message.includes(error.message), `record ${i}`);
      return;
    }
    assertSame(many[i], alone, `record ${i}`);
  });
  return many;
}

const ids = packs().map((p) => p.id);

test('every built-in pack is tested', () => {
  assert.deepStrictEqual(ids, readdirSync(join(repo, 'rules')).sort());
});

for (const id of ids) {
  test(`${id}: scoreMany equals score on generated records (a third broken) and hostile values`, () => {
    const pack = loadPack(id);
    const examples = readText('rules', id, 'examples.jsonl').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l)).map((e) => e.record ?? e.input ?? e);
    const batch = [...generated(11, 600), ...hostile, ...examples];
    const many = agreesWithScore(pack, batch);
    for (const status of ['scored', 'error', 'not_applicable']) {
      assert.ok(many.some((r) => r.status === status), `some record is ${status}`);
    }
    // The results share the reasons' strings but not their objects.
    const scored = many.filter((r) => r.status === 'scored');
    assert.notEqual(scored[0].reasons, scored[1].reasons);
    scored[0].reasons['1.1'] = 'đã sửa';
    assert.notEqual(scored[1].reasons['1.1'], 'đã sửa');
  });

  test(`${id}: scoreMany equals the CLI's JSON lines, key order included`, () => {
    const pack = loadPack(id);
    const records = generated(12, 400);
    const dir = mkdtempSync(join(tmpdir(), 'chamdiem-fast-'));
    const file = join(dir, 'records.jsonl');
    writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const expected = cliResults(['--pack', id, '--period', '2024', file]);
    const many = pack.scoreMany(records, '2024');
    assert.equal(many.length, expected.length);
    many.forEach((result, i) => assertSame(result, expected[i], `line ${i + 1}`));
  });
}

test('reasons with any text, and a criterion whose id is __proto__', () => {
  const pack = Pack.fromSources({
    'pack.rhai': 'extends("vn.enterprise");\n'
      + 'pack(#{ id: "thu.ly_do", title: "Thử lý do", version: "0" });\n'
      + 'change_criterion("1.1", #{ rule: |r| if r.employees > 300 { pass("có \\"trích\\" \\\\ \u{1F600} \u2028 \\t " + r.name) } else { fail("") } });\n'
      + 'change_criterion("6.3", #{ points: 1 });\n'
      + 'criterion("__proto__", #{ group: "6", points: 1, label: "Thử", rule: |r| pass("ổn " + r.id) });\n',
  }, 'pack.rhai');
  const batch = [...generated(13, 200), ...hostile];
  const many = agreesWithScore(pack, batch);
  const scored = many.find((r) => r.status === 'scored');
  assert.ok(Object.hasOwn(scored.reasons, '__proto__'));
  assert.equal(Object.getPrototypeOf(scored.reasons), Object.prototype);
  assert.equal(scored.reasons.__proto__, `ổn ${scored.id}`); // eslint-disable-line no-proto
});
