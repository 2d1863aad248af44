// Benchmark (not a test): pack.scoreMany over N records against
// json-rules-engine running the rules of vn.enterprise written as JSON rules.
// Usage: node bench/score-many.mjs [N=50000]
// Records: examples/generate.py (the CLI benchmark's generator), in bench/out/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Engine } from 'json-rules-engine';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const count = Number(process.argv[2] ?? 50000);
const out = join(here, 'out');
const file = join(out, `records-${count}.jsonl`);
if (!existsSync(file)) {
  mkdirSync(out, { recursive: true });
  writeFileSync(file, execFileSync('python3', [join(repo, 'examples', 'generate.py'), '--count', String(count),
    '--year', '2024', '--seed', '7', '--format', 'jsonl', '--bad-fraction', '0.01'], { maxBuffer: 1 << 30 }));
}
const records = readFileSync(file, 'utf8').split('\n').filter(Boolean).flatMap((l) => {
  try { return [JSON.parse(l)]; } catch { return []; }
});

const t0 = performance.now();
const { loadPack } = await import('../pkg/index.js');
const pack = loadPack('vn.enterprise');
const loadMs = performance.now() - t0;

function best(runs, fn) {
  let min = Infinity;
  let value;
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    value = fn();
    min = Math.min(min, performance.now() - start);
  }
  return { ms: min, value };
}

const wasm = best(3, () => pack.scoreMany(records, '2024'));
const scored = wasm.value.filter((r) => r.status === 'scored').length;

// ── json-rules-engine: the same criteria, gates and bands as JSON rules ──
// It validates nothing, so it gets only the records the pack scored (a head
// start): applicability and validation are left out of its time.
const START = '2024-01-01';
const END = '2024-12-31';
// Dates as the pack reads them: YYYY-MM-DD or DD/MM/YYYY, one- or two-digit day and month.
const pad = (n) => n.padStart(2, '0');
function iso(d) {
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(d);
  if (m) return `${m[1]}-${pad(m[2])}-${pad(m[3])}`;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(d);
  return m ? `${m[3]}-${pad(m[2])}-${pad(m[1])}` : d;
}
const inPeriod = (d) => typeof d === 'string' && iso(d) >= START && iso(d) <= END;
const ART38 = [[50, 3], [150, 4], [300, 9], [500, 14], [1000, 19], [Infinity, 24]];
const art38 = (n) => ART38.find(([bound]) => n < bound)[1];

const is = (fact, value) => ({ fact, operator: 'equal', value });
const award = (id, points, conditions) => ({ conditions: { all: conditions }, event: { type: 'points', params: { id, points } } });
const rules = [
  award('1.1', 8, [is('regulation_issued', true)]),
  award('1.2', 3, [is('regulation_issued', true), is('regulation_union_consulted', true)]),
  award('1.3', 4, [is('regulation_issued', true), is('regulation_published', true)]),
  award('2.1', 10, [is('dialogue_in_period', true)]),
  award('2.2', 5, [is('reps_enough', true)]),
  award('2.3', 5, [is('dialogue_in_period', true), is('dialogue_minutes_published', true)]),
  { conditions: { all: [{ fact: 'dialogue_requests', operator: 'greaterThanInclusive', value: 0 }] }, event: { type: 'points-fact', params: { id: '2.4', fact: 'points_2_4' } } },
  award('3.1', 15, [is('conference_in_period', true)]),
  award('3.2', 5, [is('conference_in_period', true), is('union_coorganised_conference', true)]),
  award('4.1', 2.5, [is('disclosed_business', true)]),
  award('4.2', 2.5, [is('disclosed_rules_pay_norms', true)]),
  { conditions: { any: [is('collective_agreement_in_force', false), is('disclosed_collective_agreement', true)] }, event: { type: 'points', params: { id: '4.3', points: 2.5 } } },
  award('4.4', 2.5, [is('disclosed_funds', true)]),
  award('4.5', 2.5, [is('disclosed_contributions', true)]),
  award('4.6', 2.5, [is('disclosed_rewards_discipline', true)]),
  ...['consulted_internal_rules', 'consulted_pay_norms', 'consulted_conditions'].map((f) => award('5.1', 2, [is(f, true)])),
  ...['supervised_contracts', 'supervised_internal_rules', 'supervised_funds', 'supervised_contributions', 'supervised_rewards_discipline'].map((f) => award('5.2', 1, [is(f, true)])),
  award('5.3', 4, [is('collective_agreement_in_force', true)]),
  award('6.1', 5, [is('strikes', 0)]),
  award('6.2', 3, [is('collective_disputes', 0)]),
  award('6.3', 2, [is('democracy_fines', 0)]),
];
const GROUP_MAX = { 1: 15, 2: 25, 3: 20, 4: 15, 5: 15, 6: 10 };
const BANDS = [['tot', 80], ['kha', 65], ['trung_binh', 50], ['yeu', 0]];
const RANK = { tot: 0, kha: 1, trung_binh: 2, yeu: 3 };

const engine = new Engine(rules, { allowUndefinedFacts: true });
engine.addFact('dialogue_in_period', (p, a) => a.factValue('periodic_dialogue_dates').then((ds) => ds.some(inPeriod)));
engine.addFact('conference_in_period', (p, a) => a.factValue('workers_conference_date').then(inPeriod));
engine.addFact('reps_enough', async (p, a) => (await a.factValue('dialogue_employee_reps')) >= art38(await a.factValue('employees')));
engine.addFact('points_2_4', async (p, a) => {
  const asked = await a.factValue('dialogue_requests');
  return asked === 0 ? 5 : Math.round((500 * (await a.factValue('dialogue_requests_answered'))) / asked) / 100;
});

async function jreScore(record) {
  const { events, almanac } = await engine.run(record);
  const criteria = {};
  for (const { type, params } of events) {
    const points = type === 'points' ? params.points : await almanac.factValue(params.fact);
    criteria[params.id] = (criteria[params.id] ?? 0) + points;
  }
  const groups = {};
  for (const [id, p] of Object.entries(criteria)) groups[id[0]] = (groups[id[0]] ?? 0) + p;
  const total = Math.round(Object.values(criteria).reduce((a, b) => a + b, 0) * 100) / 100;
  let cls = BANDS.find(([, min]) => total >= min)[0];
  const facts = await Promise.all(['dialogue_in_period', 'conference_in_period'].map((f) => almanac.factValue(f)));
  const caps = [];
  if (!record.regulation_issued || !facts[0] || !facts[1]) caps.push('trung_binh');
  if (record.strikes > 0 || record.democracy_fines > 0) caps.push('trung_binh');
  if (Object.entries(GROUP_MAX).some(([g, max]) => 2 * (groups[g] ?? 0) < max)) caps.push('kha');
  for (const cap of caps) if (RANK[cap] > RANK[cls]) cls = cap;
  return { total, class: cls };
}

const valid = records.filter((r, i) => wasm.value[i].status === 'scored');
let jreMs = Infinity;
let jre;
for (let run = 0; run < 2; run += 1) {
  const start = performance.now();
  jre = [];
  for (const record of valid) jre.push(await jreScore(record));
  jreMs = Math.min(jreMs, performance.now() - start);
}
const wasmScored = wasm.value.filter((r) => r.status === 'scored');
const differs = (r, i) => r.class !== wasmScored[i].class || Math.abs(r.total - wasmScored[i].total) > 0.005;
const disagree = jre.filter(differs).length;
const first = jre.findIndex(differs);
if (first >= 0) console.log('first disagreement:', JSON.stringify({ jre: jre[first], chamdiem: wasmScored[first] }));

const perSec = (n, ms) => Math.round((n / ms) * 1000).toLocaleString('en');
console.log(`records: ${records.length} (${scored} scored by the pack; json-rules-engine gets those ${valid.length})`);
console.log(`load the package + vn.enterprise: ${loadMs.toFixed(1)} ms`);
console.log(`chamdiem scoreMany: ${wasm.ms.toFixed(0)} ms for ${records.length} (${perSec(records.length, wasm.ms)} records/s), best of 3`);
console.log(`json-rules-engine: ${jreMs.toFixed(0)} ms for ${valid.length} (${perSec(valid.length, jreMs)} records/s), best of 2`);
console.log(`speed-up per record: ${((jreMs / valid.length) / (wasm.ms / records.length)).toFixed(1)}×`);
console.log(`disagreements (total or class) on the scored records: ${disagree}`);
