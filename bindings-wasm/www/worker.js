// Scores files off the page's thread, so a 10,000-record file (or a hostile
// pack) never freezes the page. Messages in: {type: 'score', job, bytes,
// format, packId, period} and {type: 'tune', job, bytes, format, source,
// packId, period}; each brings its file, so the worker keeps no state. Out:
// progress, then done (or error) for the job.
import { diffFile, loadPack, Pack } from './pkg/index.js';

const STEP = 500;

function errorInfo(e) {
  // Not the package's error (a stack overflow, a trap): the module may be
  // left in a bad state, so the page replaces this worker.
  const fatal = e.name !== 'ChamdiemError';
  return { message: e.message, code: e.code ?? e.name, file: e.file, line: e.line, column: e.column, fatal };
}

/** The part of a result the page shows (whole results are in the CSV). */
function brief(r) {
  return {
    id: r.id, status: r.status, total: r.total, class: r.class, class_label: r.class_label,
    gates: r.gates, errors: r.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)),
  };
}

const WORKBOOKS = ['xlsx', 'xls', 'ods'];

function scoreAll(job, file, pack, period, more = {}) {
  // A workbook: its first sheet, read by the core as the CLI reads it.
  const scoring = WORKBOOKS.includes(file.format)
    ? pack.scoreWorkbookFile(file.bytes, period, {})
    : pack.scoreFile(file.bytes, file.format, period);
  const results = [];
  while (!scoring.done) {
    for (const r of scoring.step(STEP)) results.push(brief(r));
    postMessage({ type: 'progress', job, count: results.length });
  }
  // A record the pack itself failed on: the pack's error, with its line.
  const failed = results.find((r) => r.status === 'error' && r.errors[0]?.startsWith('lỗi bộ quy tắc'));
  const packFailures = results.filter((r) => r.status === 'error' && r.errors[0]?.startsWith('lỗi bộ quy tắc')).length;
  // Tuning: the core's diff against the selected pack (skipped when the
  // edited pack fails on records: its error is what the officer needs).
  if (more.base && packFailures === 0) postMessage({ type: 'progress', job, count: results.length });
  const diff = more.base && packFailures === 0
    ? diffFile(file.bytes, file.format, more.base, pack, period)
    : null;
  if (diff) {
    delete diff.html;
    delete diff.csv;
  }
  postMessage({
    type: 'done', job, results, csv: scoring.toCsv(), warnings: scoring.warnings,
    packFailures, packFailure: failed ? failed.errors[0] : null, diff,
  });
}

onmessage = ({ data }) => {
  try {
    const file = { bytes: new Uint8Array(data.bytes), format: data.format };
    if (data.type === 'score') {
      scoreAll(data.job, file, loadPack(data.packId), data.period);
    } else if (data.type === 'tune') {
      const tunedPack = Pack.fromSources({ 'dieu-chinh.rhai': data.source }, 'dieu-chinh.rhai');
      scoreAll(data.job, file, tunedPack, data.period, { base: loadPack(data.packId) });
    }
  } catch (e) {
    postMessage({ type: 'error', job: data.job, error: errorInfo(e) });
  }
};

postMessage({ type: 'ready' });
