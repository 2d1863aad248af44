// Compiled (not run) by test/node/types.test.mjs: the package's types say what things are.
import { loadPack, loadXlsxWriter, Pack, packs, type ScoreResult, type ChamdiemError, type PackInfo } from '../../pkg/index.js';
const pack: Pack = loadPack('vn.enterprise');
const r: ScoreResult = pack.score({ id: '1' }, '2024');
const label: string | null = r.class_label;
const n: number = r.unmet.length + r.errors.filter((e) => e.code === 'record.missing').length;
const info: PackInfo = pack.info();
const min: number = info.bands[0].min;
const many: ScoreResult[] = pack.scoreMany([{ id: '2' }], '2024');
try { Pack.fromSources({ 'pack.rhai': 'x' }, 'pack.rhai', { max_time_ms: 100 }); } catch (e) { const err = e as ChamdiemError; console.log(err.code, err.line); }
console.log(label, n, min, many.length, packs()[0].in_force_from);
loadXlsxWriter().then(() => { const bytes: Uint8Array = pack.template(); console.log(bytes.length); });
