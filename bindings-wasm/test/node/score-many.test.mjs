// scoreMany against score, record by record: the batch must give for each
// record what `score` gives for it alone, or the error result where `score`
// throws, whatever the batch holds and whatever iterable carries it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPack, Pack } from '../../pkg/index.js';
import { readText } from '../helpers.mjs';

const lines = readText('tests/cases/vn.enterprise-2024.input.jsonl').split('\n').filter(Boolean);
const cases = lines.flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
const good = cases[0];

/** What `score` says of `record`: its result, or the error it throws. */
function alone(pack, record, period) {
  try {
    return { result: pack.score(record, period) };
  } catch (error) {
    return { error };
  }
}

/** Asserts that `results` (from scoreMany) agree with `score`, record by record. */
function agreesWithScore(pack, records, results, period = '2024') {
  assert.equal(results.length, records.length);
  records.forEach((record, i) => {
    const { result, error } = alone(pack, record, period);
    if (error === undefined) {
      assert.deepStrictEqual(results[i], result, `record ${i}`);
    } else {
      // score throws where the batch gives the record an error result.
      assert.equal(results[i].status, 'error', `record ${i}: ${error.message}`);
      assert.equal(results[i].errors.length, 1, `record ${i}`);
      assert.ok(results[i].errors[0].message.includes(error.message),
        `record ${i}: «${results[i].errors[0].message}» does not say «${error.message}»`);
    }
  });
}

// Valid records, invalid ones (a value of the wrong type, a missing field, an
// unknown key, a date out of range), and values that are not records.
const broken = [
  { ...good, employees: 'nhiều' },
  { ...good, employees: -3 },
  (({ employees, ...rest }) => rest)(good),
  { ...good, bogus_field: 1 },
  { ...good, workers_conference_date: '2024-13-45' },
  { ...good, periodic_dialogue_dates: '2024-06-01' },
  { ...good, name: 'Công ty “Ánh Dương” \u{1F600} \\ \n tab\t' },
  { ...good, employees: 1e21 },
  { ...good, employees: 420.0000000001 },
  { ...good, nested: { deep: [[[[[[{ a: 1 }]]]]]] } },
];
const notRecords = [42, null, 'chuỗi', true, false, [1, 2], [], {}, 0, -0, 3.5];
const plainBatch = [...cases, ...broken, ...notRecords, good];

test('a mixed batch agrees with score, record by record', () => {
  const pack = loadPack('vn.enterprise');
  const results = pack.scoreMany(plainBatch, '2024');
  assert.ok(results.some((r) => r.status === 'scored') && results.some((r) => r.status === 'error'));
  agreesWithScore(pack, plainBatch, results);
});

test('values JSON cannot write alone (undefined, a function, a symbol, toJSON) agree with score', () => {
  const pack = loadPack('vn.enterprise');
  const odd = [
    undefined,
    () => 1,
    Symbol('x'),
    { toJSON: () => ({ ...good }) },
    { toJSON: () => undefined },
    new Date('2024-06-01'),
  ];
  for (const value of odd) {
    const batch = [good, value, 42, good];
    agreesWithScore(pack, batch, pack.scoreMany(batch, '2024'));
  }
  // A hole in a sparse array is `undefined`, as Array.from sees it.
  const sparse = [good, , good]; // eslint-disable-line no-sparse-arrays
  const holes = pack.scoreMany(sparse, '2024');
  agreesWithScore(pack, Array.from(sparse), holes);
  assert.deepStrictEqual(holes.map((r) => r.status), ['scored', 'error', 'scored']);
});

test('batches of many chunks, some of which go record by record', () => {
  // scoreMany sends a chunk as one text of JSON Lines unless a record in it
  // cannot be written so (a BigInt, undefined): then record by record.
  // Either way each record gets what score gives it.
  const pack = loadPack('vn.enterprise');
  let deep = 1;
  for (let i = 0; i < 126; i += 1) deep = [deep];
  const batch = Array.from({ length: 7000 }, (_, i) => ({ ...cases[i % cases.length], id: `DN-${i}` }));
  batch[100] = undefined;
  batch[2100] = { ...good, employees: 10n };
  for (const i of [4500, 6999]) batch[i] = { ...good, id: `SÂU-${i}`, nested: deep };
  const results = pack.scoreMany(batch, '2024');
  agreesWithScore(pack, batch, results);
  assert.equal(results[4500].id, 'SÂU-4500');
  assert.equal(results[100].status, 'error');
  assert.equal(results[2100].status, 'error');
});

test('a BigInt or a cycle fails only its own record', () => {
  const pack = loadPack('vn.enterprise');
  const cycle = { ...good };
  cycle.self = cycle;
  for (const bad of [10n, { ...good, employees: 10n }, cycle]) {
    const batch = [good, bad, null, good];
    const results = pack.scoreMany(batch, '2024');
    agreesWithScore(pack, batch, results);
    assert.deepStrictEqual(results.map((r) => r.status), ['scored', 'error', 'error', 'scored']);
  }
});

test('any iterable, not only an array', () => {
  const pack = loadPack('vn.enterprise');
  const batch = [...cases.slice(0, 20), 42, null, [1], ...broken.slice(0, 3)];
  const expected = pack.scoreMany(batch, '2024');
  agreesWithScore(pack, batch, expected);
  function* generate() { yield* batch; }
  assert.deepStrictEqual(pack.scoreMany(generate(), '2024'), expected);
  assert.deepStrictEqual(pack.scoreMany(new Set(batch), '2024'), expected);
  const arrayLike = { length: batch.length, ...batch };
  assert.deepStrictEqual(pack.scoreMany(arrayLike, '2024'), expected);
  assert.deepStrictEqual(pack.scoreMany([], '2024'), []);
  assert.deepStrictEqual(pack.scoreMany(new Set(), '2024'), []);
  assert.throws(() => pack.scoreMany(null, '2024'), TypeError);
});

test('a pack that fails on some records: their error results, in order', () => {
  const pack = Pack.fromSources({
    'pack.rhai': 'extends("vn.enterprise");\n'
      + 'pack(#{ id: "thu.loi", title: "Thử lỗi", version: "0" });\n'
      + 'change_criterion("1.1", #{ rule: |r| if r.employees > 300 { points(12, "quá tay") } else { points(8, "có") } });\n',
  }, 'pack.rhai');
  const batch = [...cases, 42, ...broken];
  const results = pack.scoreMany(batch, '2024');
  const failed = results.filter((r) => r.status === 'error' && /^lỗi bộ quy tắc/.test(r.errors[0].message));
  assert.ok(failed.length > 0, 'some records make the pack fail');
  assert.ok(results.some((r) => r.status === 'scored'), 'others are scored');
  agreesWithScore(pack, batch, results);
});

test('the period is checked as in score', () => {
  const pack = loadPack('vn.enterprise');
  assert.throws(() => pack.score(good, 'không phải kỳ'), (e) => e.name === 'ChamdiemError');
  assert.throws(() => pack.scoreMany([good], 'không phải kỳ'), (e) => e.name === 'ChamdiemError');
  // Required in both, as on the command line: no default year.
  for (const call of [() => pack.score(good), () => pack.scoreMany([good]), () => pack.scoreMany([])]) {
    assert.throws(call, (e) => e.code === 'INVALID_ARGUMENT' && e.field === 'period');
  }
});
