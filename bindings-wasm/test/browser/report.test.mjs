// The report and diff pages (the CLI's HTML) rendered in Debian's Chromium,
// headless, to PNGs kept in test-artifacts/, and the page's tuning view
// showing the core's diff. Expected figures come from the CLI's JSON.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { cli, repo, wasmDir } from '../helpers.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const artifacts = join(wasmDir, 'test-artifacts');
const JSONL = join(repo, 'examples', 'doanh-nghiep-2024.jsonl');
const CSV = join(repo, 'examples', 'doanh-nghiep-2024.csv');
const DISTRICT = 'tay-ninh.duong-minh-chau.enterprise';
const work = mkdtempSync(join(tmpdir(), 'chamdiem-report-'));

let browser;
let server;
let base; // the page's site, served by the tuning view's test
const requests = [];

const cliJson = (args) => {
  const run = cli(args);
  assert.ok(run.status === 0 || run.status === 1, run.stderr);
  return JSON.parse(run.stdout);
};

async function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

/** Opens a file in a fresh page that records every request it makes. */
async function open(path) {
  const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(path).href);
  return page;
}

test('the report page: one bar per unit, ten histogram bars, the counts of the JSON, nothing fetched', async () => {
  const html = join(work, 'bao-cao.html');
  const run = cli(['report', JSONL, '--pack', DISTRICT, '--period', '2024', '-o', html]);
  assert.equal(run.status, 1, run.stderr); // the examples hold records in error
  const report = cliJson(['report', JSONL, '--pack', DISTRICT, '--period', '2024', '--format', 'json']);
  requests.length = 0;
  const page = await open(html);
  assert.equal(await page.$$eval('svg.chart-units g.bar', (g) => g.length), report.groups.length);
  // Each unit's bar has one segment per class it has records in.
  const segments = await page.$$eval('svg.chart-units g.bar', (gs) => gs.map((g) => g.querySelectorAll('rect.seg').length));
  assert.deepStrictEqual(segments, report.groups.map((g) => g.classes.filter((n) => n > 0).length));
  const bins = await page.$$eval('svg.chart-totals rect.bin', (rs) => rs.map((r) => Number(r.dataset.count)));
  assert.equal(bins.length, 10);
  assert.equal(bins.reduce((a, b) => a + b, 0), report.total.scored);
  // Bars are drawn with a height in proportion to their count.
  const heights = await page.$$eval('svg.chart-totals rect.bin', (rs) => rs.map((r) => r.getBoundingClientRect().height));
  const tallest = bins.indexOf(Math.max(...bins));
  assert.equal(heights.indexOf(Math.max(...heights)), tallest);
  assert.equal(await page.textContent('.counts .records'), String(report.total.records));
  const text = await page.textContent('body');
  assert.ok(text.includes('trước ngày 05/11/2024'), 'the due date');
  assert.ok(text.includes(`lỗi ${report.total.errors}`));
  assert.equal(await page.$$eval('table.ranking tbody tr', (rs) => rs.length), report.ranking.length);
  assert.deepStrictEqual(requests.filter((u) => !u.startsWith('file:')), [], 'no network');
  await page.screenshot({ path: join(artifacts, 'report-bao-cao.png'), fullPage: true });
  // Printing: A4 pages.
  const pdf = await page.pdf({ preferCSSPageSize: true });
  writeFileSync(join(artifacts, 'report-bao-cao.pdf'), pdf);
  const box = pdf.toString('latin1').match(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/);
  assert.ok(box, 'a page size');
  // A4 is 595 × 842 points.
  assert.ok(Math.abs(Number(box[1]) - 595) < 2 && Math.abs(Number(box[2]) - 842) < 2, box[0]);
  await page.close();
});

test('the diff page: the matrix of the JSON', async () => {
  const html = join(work, 'so-sanh.html');
  const args = ['diff', JSONL, '--old', 'vn.enterprise', '--new', 'tay-ninh.enterprise', '--period', '2024'];
  assert.equal(cli([...args, '-o', html]).status, 0);
  const diff = cliJson([...args, '--format', 'json']);
  const page = await open(html);
  const matrix = await page.$$eval('table.matrix tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
  assert.deepStrictEqual(matrix, diff.matrix);
  assert.equal(await page.$$eval('table.moved tbody tr', (rs) => rs.length), diff.changed_class);
  await page.screenshot({ path: join(artifacts, 'report-so-sanh.png'), fullPage: true });
  await page.close();
});

test('the tuning view shows the core diff: matrix and moved enterprises as chamdiem diff says', async () => {
  execFileSync('node', [join(wasmDir, 'scripts', 'site.mjs')], { stdio: 'ignore' });
  const port = await freePort();
  server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', join(wasmDir, 'site')], { stdio: 'ignore' });
  base = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i += 1) {
    try { if ((await fetch(base)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
  await page.click('#tab-file');
  await page.setInputFiles('#file', CSV);
  await page.waitForFunction(() => /^Đã chấm/.test(document.getElementById('file-summary').textContent), null, { timeout: 120000 });
  await page.click('#tab-tune');
  // Move 2 points from criterion 1.1 (8) to 2.1 (10), and raise Tốt to 85.
  for (const [id, value] of [['#tune-c-1\\.1', '6'], ['#tune-c-2\\.1', '12'], ['#tune-b-tot', '85']]) {
    await page.fill(id, value);
    await page.press(id, 'Tab'); // commits the value: a change event
  }
  await page.click('#tune-run');
  await page.waitForFunction(() => document.querySelectorAll('#moved-matrix-table tbody tr').length > 0
    && /^Đã chấm lại/.test(document.getElementById('tune-summary').textContent), null, { timeout: 120000 });
  // Let every queued rescoring finish (each edit starts one), then read.
  await page.waitForTimeout(500);
  await page.waitForFunction(() => /^Đã chấm lại/.test(document.getElementById('tune-summary').textContent), null, { timeout: 120000 });
  const source = await page.inputValue('#tune-source');
  const packFile = join(work, 'dieu-chinh.rhai');
  writeFileSync(packFile, source);
  const diff = cliJson(['diff', CSV, '--old', 'vn.enterprise', '--new', packFile, '--period', '2024', '--format', 'json']);
  assert.ok(diff.changed_class > 0);
  assert.equal(Number(await page.textContent('#moved-count')), diff.changed_class);
  const matrix = await page.$$eval('#moved-matrix-table tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
  assert.deepStrictEqual(matrix, diff.matrix);
  const moved = await page.$$eval('#moved-table tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.equal(moved.length, diff.moved.length);
  assert.deepStrictEqual(moved.map((r) => r[0]), diff.moved.map((m) => m.id));
  // The criteria column names what changed, e.g. "2.1: 10 → 12".
  const withCriteria = diff.moved.findIndex((m) => m.criteria.some((c) => c.id === '2.1'));
  assert.ok(withCriteria >= 0);
  assert.match(moved[withCriteria][5], /2\.1: 10 → 12/);
  await page.screenshot({ path: join(artifacts, 'report-dieu-chinh.png'), fullPage: true });
  assert.deepStrictEqual(errors, []);
  await page.close();
});

test('in a browser, the .xlsx writer module loads on request: template and report workbook', async () => {
  assert.ok(base, 'the site is served (by the test above)');
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(`${base}index.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
  assert.ok(!fetched.some((p) => p.startsWith('/pkg/chamdiem_xlsx')), 'the page does not load the writer');
  const records = readFileSync(JSONL, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const answer = await page.evaluate(async ([records, url]) => {
    const chamdiem = await import(url);
    const pack = chamdiem.loadPack('tay-ninh.enterprise');
    let before;
    try { pack.template(); before = 'no error'; } catch (e) { before = e.code; }
    await chamdiem.loadXlsxWriter();
    const template = pack.template();
    const report = pack.report(records, '2024', { xlsx: true });
    const plain = pack.report(records, '2024');
    delete report.xlsx;
    return {
      before,
      template: [template.constructor.name, template[0], template[1], template.length],
      xlsx: pack.report(records, '2024', { xlsx: true }).xlsx.length,
      same: JSON.stringify(report) === JSON.stringify(plain),
    };
  }, [records, `${base}pkg/index.js`]);
  assert.equal(answer.before, 'XLSX_WRITER_NOT_LOADED');
  assert.deepStrictEqual(answer.template.slice(0, 3), ['Uint8Array', 0x50, 0x4b]);
  assert.ok(answer.template[3] > 1000 && answer.xlsx > 1000);
  assert.ok(answer.same, 'the report is the one without the workbook');
  assert.ok(fetched.includes('/pkg/chamdiem_xlsx_bg.wasm'));
  assert.deepStrictEqual(errors, []);
  await page.close();
});
