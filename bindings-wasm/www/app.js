// The page: self-assessment (main thread, one record at a time), scoring a
// file and tuning the rules (in a Web Worker). All scoring is the package's.
import { packs, loadPack } from './pkg/index.js';
import { showDiff } from './tune-diff.js';

const $ = (id) => document.getElementById(id);
const el = (tag, { dataset, ...props } = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
};
const fmt = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('vi-VN', { maximumFractionDigits: 2 }));

const state = {
  pack: null, // the selected pack (main thread)
  info: null,
  lastRecord: null,
  lastResult: null,
  touched: new Set(),
  base: null, // the file's results under the selected pack
  csv: '',
  fileName: '',
  worker: null,
  job: 0,
  watchdog: null,
};

function setStatus(text) {
  $('status').textContent = text;
}

// ── Tabs (arrow keys move between them, as in the WAI-ARIA tabs pattern) ──
const tabs = ['tab-form', 'tab-file', 'tab-tune'].map($);
function selectTab(tab) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
}
for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab));
  tab.addEventListener('keydown', (event) => {
    const i = tabs.indexOf(tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = tabs[(next + tabs.length) % tabs.length];
    selectTab(target);
    target.focus();
  });
}

// ── 1. Tự đánh giá: a form generated from the pack's declared fields ──
function control(field) {
  const id = `f-${field.name}`;
  const common = { id, name: field.name };
  if (field.type === 'bool') {
    return el('select', common,
      el('option', { value: '', textContent: '— chưa chọn —' }),
      el('option', { value: 'true', textContent: 'Có' }),
      el('option', { value: 'false', textContent: 'Không' }));
  }
  if (field.type === 'string' && field.values) {
    return el('select', common, el('option', { value: '', textContent: '— chưa chọn —' }),
      ...field.values.map((v) => el('option', { value: v, textContent: v })));
  }
  const input = el('input', common);
  if (field.type === 'int' || field.type === 'number') {
    input.type = 'number';
    input.step = field.type === 'int' ? '1' : 'any';
    if (field.min !== null) input.min = String(field.min);
    if (field.max !== null) input.max = String(field.max);
    input.inputMode = field.type === 'int' ? 'numeric' : 'decimal';
  } else if (field.type === 'date') {
    input.type = 'date';
  } else if (field.type.startsWith('list<')) {
    input.placeholder = field.type === 'list<date>' ? 'YYYY-MM-DD; YYYY-MM-DD' : 'giá trị; giá trị';
  }
  return input;
}

function buildForm(schema) {
  const form = $('form');
  form.replaceChildren();
  for (const field of schema.fields) {
    const input = control(field);
    const hintId = `${input.id}-hint`;
    const errorId = `${input.id}-error`;
    const notes = [];
    if (field.required) notes.push('bắt buộc');
    if (field.nullable) notes.push('để trống nếu không có');
    if (field.type.startsWith('list<')) notes.push('nhiều giá trị ngăn bằng dấu ;');
    if (field.min !== null || field.max !== null) notes.push(`từ ${field.min ?? '…'} đến ${field.max ?? '…'}`);
    if (field.description) notes.push(field.description);
    input.setAttribute('aria-describedby', `${hintId} ${errorId}`);
    if (field.required) input.setAttribute('aria-required', 'true');
    input.addEventListener('input', () => { state.touched.add(field.name); scoreForm(); });
    input.addEventListener('change', () => { state.touched.add(field.name); scoreForm(); });
    form.append(el('div', { className: 'field' },
      el('label', { htmlFor: input.id, textContent: field.label }),
      input,
      el('span', { id: hintId, className: 'hint', textContent: `${field.name} · ${notes.join(' · ')}` }),
      el('span', { id: errorId, className: 'error' })));
  }
}

function formTexts() {
  const texts = {};
  for (const field of state.pack.schema().fields) {
    const input = $(`f-${field.name}`);
    if (input) texts[field.name] = input.value;
  }
  return texts;
}

function showResult(result) {
  const info = state.info;
  $('result-total').textContent = result.status === 'scored' ? `${fmt(result.total)} / ${fmt(info.max_points)}` : '—';
  $('result-class').textContent = result.class_label ?? '—';
  const stateText = {
    scored: 'Đã chấm điểm.',
    not_applicable: 'Không thuộc đối tượng chấm điểm của bộ quy tắc này.',
    error: `Chưa chấm được: ${result.errors.length} vấn đề cần sửa.`,
  }[result.status];
  $('result-state').textContent = stateText;
  $('result-errors').replaceChildren(...result.errors.map((e) => {
    const f = e.field && info && state.pack.schema().fields.find((x) => x.name === e.field);
    return el('li', { textContent: f ? `${f.label}: ${e.message}` : e.message });
  }));
  $('result-gates').replaceChildren(...result.gates.map((id) => {
    const gate = info.gates.find((g) => g.id === id);
    const cap = info.bands.find((b) => b.code === gate?.cap)?.label ?? gate?.cap;
    return el('p', { className: 'gate', textContent: `⚠ ${id} — ${gate?.label ?? ''} (xếp loại tối đa: ${cap})` });
  }));
  const rows = [];
  for (const group of info.groups) {
    const got = result.groups[group.id];
    rows.push(el('tr', { className: 'group' },
      el('th', { scope: 'row', textContent: `Nhóm ${group.id}` }),
      el('td', { textContent: group.label }),
      el('td', { textContent: fmt(got) }),
      el('td', { textContent: fmt(group.max) }),
      el('td')));
    for (const c of info.criteria.filter((x) => x.group === group.id)) {
      rows.push(el('tr', {},
        el('th', { scope: 'row', textContent: c.id }),
        el('td', { textContent: c.label }),
        el('td', { textContent: fmt(result.criteria[c.id]) }),
        el('td', { textContent: fmt(c.points) }),
        el('td', { textContent: result.reasons[c.id] ?? '' })));
    }
  }
  $('result-criteria').tBodies[0].replaceChildren(...rows);
  // Each field's own problem beside it, once the field has been touched.
  for (const field of state.pack.schema().fields) {
    const input = $(`f-${field.name}`);
    const problem = result.errors.find((e) => e.field === field.name);
    const show = problem && state.touched.has(field.name);
    $(`f-${field.name}-error`).textContent = show ? problem.message : '';
    input.setAttribute('aria-invalid', show ? 'true' : 'false');
  }
}

function scoreForm() {
  if (!state.pack) return;
  try {
    state.lastRecord = state.pack.recordFromTexts(formTexts());
    state.lastResult = state.pack.score(state.lastRecord, $('period').value);
    showResult(state.lastResult);
    setStatus('');
  } catch (e) {
    state.lastResult = null;
    $('result-state').textContent = e.message;
    setStatus(e.message);
  }
}

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

$('print').addEventListener('click', () => window.print());
$('save-json').addEventListener('click', () => {
  if (!state.lastResult) return;
  const saved = { period: $('period').value, record: state.lastRecord, result: state.lastResult };
  download(`tu-danh-gia-${state.lastResult.id ?? 'phieu'}.json`, JSON.stringify(saved, null, 2), 'application/json');
});

// ── 2. Chấm điểm theo tệp, in the worker ──
function startWorker() {
  state.worker?.terminate();
  state.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  state.worker.onmessage = ({ data }) => onWorkerMessage(data);
  state.worker.onerror = (e) => failJob(`lỗi trong bộ chấm điểm: ${e.message}`);
}

function runJob(message, progressTarget, onDone, onError) {
  state.job += 1;
  state.pending = { job: state.job, kind: message.type, progressTarget, onDone, onError };
  armWatchdog();
  $('file-stop').hidden = false;
  state.worker.postMessage({ ...message, job: state.job }, message.bytes ? [message.bytes] : []);
}

// A job silent for this long is stopped: the worker is replaced, the page keeps working.
const SILENCE_MS = 30000;
function armWatchdog() {
  clearTimeout(state.watchdog);
  state.watchdog = setTimeout(() => failJob('bộ chấm điểm không trả lời quá 30 giây, đã dừng'), SILENCE_MS);
}

function failJob(message) {
  clearTimeout(state.watchdog);
  const pending = state.pending;
  state.pending = null;
  $('file-stop').hidden = true;
  startWorker();
  pending?.onError({ message, code: 'STOPPED' });
}
$('file-stop').addEventListener('click', () => failJob('đã dừng theo yêu cầu'));

function onWorkerMessage(data) {
  const pending = state.pending;
  // Any message shows the worker is alive, even one about an older job.
  if (pending) armWatchdog();
  if (data.type === 'ready' || !pending || data.job !== pending.job) return;
  if (data.type === 'progress') {
    armWatchdog();
    $('file-progress').hidden = false;
    $('file-progress').removeAttribute('max');
    $('file-progress').textContent = `${data.count}`;
    $(pending.progressTarget).textContent = `Đang chấm… ${data.count.toLocaleString('vi-VN')} bản ghi`;
    return;
  }
  clearTimeout(state.watchdog);
  state.pending = null;
  $('file-stop').hidden = true;
  $('file-progress').hidden = true;
  if (data.type === 'done') pending.onDone(data);
  else {
    if (data.error.fatal) startWorker();
    pending.onError(data.error);
  }
}

function classCounts(results) {
  const counts = new Map(state.info.bands.map((b) => [b.label, 0]));
  counts.set('Không thuộc đối tượng', 0);
  counts.set('Lỗi', 0);
  for (const r of results) {
    const key = r.status === 'scored' ? r.class_label : r.status === 'not_applicable' ? 'Không thuộc đối tượng' : 'Lỗi';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function showChart(results) {
  const counts = classCounts(results);
  const most = Math.max(1, ...counts.values());
  const table = el('table', { className: 'chart', id: 'class-counts' },
    el('caption', { textContent: 'Số doanh nghiệp theo xếp loại' }));
  for (const [label, n] of counts) {
    const bar = el('span', { className: 'bar' });
    bar.style.width = `${(100 * n) / most}%`;
    table.append(el('tr', { dataset: { label } },
      el('th', { scope: 'row', textContent: label }),
      el('td', { className: 'count', textContent: String(n) }),
      el('td', { className: 'bar-cell', ariaHidden: 'true' }, bar)));
  }
  $('file-chart').replaceChildren(table);
}

function showFileResults(data) {
  performance.measure('file-scored', 'file-start');
  state.base = data.results;
  state.csv = data.csv;
  $('file-summary').textContent = `Đã chấm ${data.results.length.toLocaleString('vi-VN')} bản ghi theo ${state.pack.id} (kỳ ${$('period').value}).`;
  $('file-warnings').replaceChildren(...data.warnings.map((w) => el('li', { textContent: w })));
  showChart(data.results);
  $('file-table').tBodies[0].replaceChildren(...data.results.slice(0, 1000).map((r, i) => el('tr', {},
    el('td', { textContent: String(i + 1) }),
    el('td', { textContent: r.id ?? '' }),
    el('td', { textContent: { scored: 'đã chấm', not_applicable: 'không thuộc đối tượng', error: 'lỗi' }[r.status] }),
    el('td', { textContent: fmt(r.total) }),
    el('td', { textContent: r.class_label ?? '' }),
    el('td', { textContent: r.gates.join(', ') }),
    el('td', { textContent: r.errors.join('; ') }))));
  $('file-csv').disabled = false;
  $('tune-need').hidden = true;
  $('tune-run').disabled = false;
  rescoreTuned();
}

async function scoreFile(file) {
  const name = file.name.toLowerCase();
  const extension = name.slice(name.lastIndexOf('.') + 1);
  const format = { csv: 'csv', tsv: 'csv', tab: 'csv', txt: 'csv', json: 'json', jsonl: 'jsonl', ndjson: 'jsonl', xlsx: 'xlsx', xlsm: 'xlsx', xls: 'xls', ods: 'ods' }[extension] ?? null;
  if (!format) {
    $('file-summary').textContent = 'Không biết định dạng tệp: hãy dùng .xlsx, .ods, .csv, .tsv, .txt (văn bản Unicode của Excel), .jsonl hoặc .json.';
    return;
  }
  state.fileName = file.name;
  performance.mark('file-start'); // for bench/page.mjs
  const bytes = await file.arrayBuffer();
  // Kept here, and a copy sent with each job: a worker replaced after a
  // stop or a crash has no state to lose.
  state.file = { bytes, format };
  $('file-summary').textContent = 'Đang chấm…';
  runJob({ type: 'score', bytes: bytes.slice(0), format, packId: state.pack.id, period: $('period').value }, 'file-summary',
    showFileResults,
    (error) => { $('file-summary').textContent = `Không chấm được tệp: ${error.message}`; });
}

$('file').addEventListener('change', () => {
  const file = $('file').files[0];
  if (file) scoreFile(file);
});
$('file-csv').addEventListener('click', () => {
  // With a byte order mark, so Excel reads the Vietnamese text as UTF-8.
  download(`ket-qua-${state.fileName.replace(/\.[^.]+$/, '')}.csv`, `\ufeff${state.csv}`, 'text/csv');
});

// ── 3. Điều chỉnh trọng số: a child pack that extends the selected one ──
function tuneSource() {
  const info = state.info;
  const lines = [
    `// Bộ quy tắc điều chỉnh: kế thừa ${info.id}, chỉ ghi những điểm thay đổi.`,
    `extends("${info.id}");`,
    '',
    `pack(#{ id: "${info.id}.dieu-chinh", title: "${info.title} — điều chỉnh", version: "${info.version}-dc" });`,
  ];
  for (const c of info.criteria) {
    const value = Number($(`tune-c-${c.id}`).value);
    if (value !== c.points) lines.push(`change_criterion("${c.id}", #{ points: ${value} });`);
  }
  for (const b of info.bands) {
    const value = Number($(`tune-b-${b.code}`).value);
    if (value !== b.min) lines.push(`change_band("${b.code}", #{ min: ${value} });`);
  }
  return `${lines.join('\n')}\n`;
}

function buildTuning() {
  const info = state.info;
  const numberInput = (id, value, label) => {
    const input = el('input', { id, type: 'number', step: '0.5', min: '0', value: String(value) });
    input.setAttribute('aria-label', label);
    input.addEventListener('change', () => {
      $('tune-source').value = tuneSource();
      updateSum();
      rescoreTuned();
    });
    return input;
  };
  $('tune-bands').tBodies[0].replaceChildren(...info.bands.map((b) => el('tr', {},
    el('th', { scope: 'row', textContent: `${b.label} (${b.code})` }),
    el('td', {}, numberInput(`tune-b-${b.code}`, b.min, `Điểm tối thiểu của mức ${b.label}`)))));
  $('tune-criteria').tBodies[0].replaceChildren(...info.criteria.map((c) => el('tr', {},
    el('th', { scope: 'row', textContent: `${c.id} ${c.label}` }),
    el('td', {}, numberInput(`tune-c-${c.id}`, c.points, `Điểm tối đa của tiêu chí ${c.id}`)))));
  $('tune-source').value = tuneSource();
  updateSum();
}

function updateSum() {
  const sum = state.info.criteria.reduce((total, c) => total + Number($(`tune-c-${c.id}`).value), 0);
  $('tune-sum').textContent = `${fmt(sum)} / ${fmt(state.info.max_points)}`;
}

function rescoreTuned() {
  if (!state.base) return;
  $('tune-error').replaceChildren();
  $('tune-summary').textContent = 'Đang chấm lại…';
  // Edits come faster than rescoring: while one runs, remember that the
  // source changed and rescore once more when it ends (never a queue).
  if (state.pending) { // a file being scored rescores the tuning when it ends
    state.tuneAgain = true;
    return;
  }
  state.tuneAgain = false;
  const again = () => {
    if (!state.tuneAgain) return false;
    rescoreTuned();
    return true;
  };
  runJob({
    type: 'tune', source: $('tune-source').value, packId: state.pack.id, period: $('period').value,
    bytes: state.file.bytes.slice(0), format: state.file.format,
  }, 'tune-summary',
    (data) => {
      if (again()) return; // this answer is for an older source

      $('tune-summary').textContent = `Đã chấm lại ${data.results.length.toLocaleString('vi-VN')} bản ghi với bộ quy tắc điều chỉnh.`;
      if (data.packFailure) {
        showTuneError({ message: `bộ quy tắc gặp lỗi ở ${data.packFailures} bản ghi — ${data.packFailure}` });
      }
      showDiff(data.diff);
    },
    (error) => {
      if (again()) return;
      $('tune-summary').textContent = '';
      showDiff(null);
      showTuneError(error);
    });
}

function showTuneError(error) {
  const where = error.line ? `Dòng ${error.line}${error.column ? `, cột ${error.column}` : ''}: ` : '';
  $('tune-error').replaceChildren(el('p', { className: 'error', textContent: `Lỗi ${error.code ? `(${error.code}) ` : ''}— ${where}${error.message}` }));
}

$('tune-run').addEventListener('click', rescoreTuned);

// ── Choosing a pack and a period ──
function selectPack(id) {
  state.pack = loadPack(id);
  state.info = state.pack.info();
  state.touched.clear();
  buildForm(state.pack.schema());
  buildTuning();
  scoreForm();
}

$('pack').addEventListener('change', () => {
  selectPack($('pack').value);
  const file = $('file').files[0];
  if (file) scoreFile(file);
});
$('period').addEventListener('change', () => {
  scoreForm();
  const file = $('file').files[0];
  if (file) scoreFile(file);
});

try {
  const list = packs();
  $('pack').replaceChildren(...list.map((p) => el('option', { value: p.id, textContent: `${p.title} (${p.id})` })));
  $('pack').value = list.some((p) => p.id === 'vn.enterprise') ? 'vn.enterprise' : list[0].id;
  $('pack').disabled = false;
  startWorker();
  selectPack($('pack').value);
  performance.mark('first-score'); // the form has its first result (bench/page.mjs)
  setStatus('Sẵn sàng.');
  document.body.dataset.ready = 'true';
} catch (e) {
  setStatus(`Không tải được bộ chấm điểm: ${e.message}`);
}
