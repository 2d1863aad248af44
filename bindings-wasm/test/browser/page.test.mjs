// The page in a real browser: Debian's Chromium, headless, driven by
// playwright-core, against site/ served on localhost. Every expected figure
// comes from the CLI on the same data. Screenshots go to test-artifacts/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { cli, cliResults, readText, repo, wasmDir } from '../helpers.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const artifacts = join(wasmDir, 'test-artifacts');
const CSV = join(repo, 'examples', 'doanh-nghiep-2024.csv');

let server;
let browser;
let page;
let base;
const consoleErrors = [];

async function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitForServer(url) {
  for (let i = 0; i < 100; i += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  execFileSync('node', [join(wasmDir, 'scripts', 'site.mjs')], { stdio: 'inherit' });
  const port = await freePort();
  server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', join(wasmDir, 'site')], { stdio: 'ignore' });
  base = `http://127.0.0.1:${port}/`;
  await waitForServer(base);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(base);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

/** Fills the self-assessment form with a record, as a person would. */
async function fillForm(record) {
  const fields = await page.$$eval('#form [name]', (inputs) => inputs.map((i) => ({ name: i.name, tag: i.tagName, type: i.type })));
  for (const { name, tag } of fields) {
    const value = record[name];
    const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join('; ') : String(value);
    if (tag === 'SELECT') await page.selectOption(`#f-${name}`, text);
    else await page.fill(`#f-${name}`, text);
  }
}

test('self-assessment: filling the form shows the class, total and reasons the CLI gives', async () => {
  const lines = readText('tests/cases/vn.enterprise-2024.input.jsonl').split('\n').filter(Boolean);
  const expected = cliResults(['--pack', 'vn.enterprise', '--period', '2024'], lines.join('\n') + '\n');
  // One Khá and one Tốt enterprise (a gate, if any, shows too).
  for (const wanted of ['kha', 'tot']) {
    const i = expected.findIndex((r) => r.class === wanted);
    await fillForm(JSON.parse(lines[i]));
    await page.waitForFunction((label) => document.getElementById('result-class').textContent === label, expected[i].class_label);
    const total = await page.textContent('#result-total');
    assert.equal(total.split(' / ')[0], expected[i].total.toLocaleString('vi-VN', { maximumFractionDigits: 2 }));
    const reason = await page.textContent('#result-criteria tbody');
    assert.ok(reason.includes(expected[i].reasons['2.1']), 'the reason of 2.1 is shown');
    await shot(`1-tu-danh-gia-${wanted}`);
  }
  // Clearing a required field: the result names the problem beside the field.
  await page.fill('#f-employees', '');
  await page.waitForFunction(() => document.getElementById('f-employees-error').textContent !== '');
  assert.equal(await page.getAttribute('#f-employees', 'aria-invalid'), 'true');
  assert.equal(await page.textContent('#result-class'), '—');
  await shot('1-tu-danh-gia-thieu-truong');
});

function expectedCounts(results, bands) {
  const counts = Object.fromEntries(bands.map((b) => [b, 0]));
  counts['Không thuộc đối tượng'] = 0;
  counts['Lỗi'] = 0;
  for (const r of results) {
    const key = r.status === 'scored' ? r.class_label : r.status === 'not_applicable' ? 'Không thuộc đối tượng' : 'Lỗi';
    counts[key] += 1;
  }
  return counts;
}

const pageCounts = () => page.$$eval('#class-counts tr', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.label, Number(r.querySelector('.count').textContent)])));

test('score a file: the class counts and the CSV equal the CLI\'s', async () => {
  await page.click('#tab-file');
  await page.setInputFiles('#file', CSV);
  await page.waitForFunction(() => /^Đã chấm/.test(document.getElementById('file-summary').textContent), null, { timeout: 120000 });
  const expected = cliResults(['--pack', 'vn.enterprise', '--period', '2024', CSV]);
  assert.match(await page.textContent('#file-summary'), new RegExp(`Đã chấm ${expected.length}`));
  assert.deepStrictEqual(await pageCounts(), expectedCounts(expected, ['Tốt', 'Khá', 'Trung bình', 'Yếu']));
  assert.equal(await page.$$eval('#file-table tbody tr', (rows) => rows.length), expected.length);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#file-csv')]);
  const csv = readFileSync(await download.path(), 'utf8');
  const cliCsv = cli(['score', '--pack', 'vn.enterprise', '--period', '2024', '--format', 'csv', CSV]).stdout;
  assert.equal(csv, `\ufeff${cliCsv}`);
  await shot('2-theo-tep');
});

/** How many records change class (or status) between two CLI runs. */
function movedByCli(packSource) {
  const dir = mkdtempSync(join(tmpdir(), 'chamdiem-tune-'));
  writeFileSync(join(dir, 'pack.rhai'), packSource);
  const before = cliResults(['--pack', 'vn.enterprise', '--period', '2024', CSV]);
  const afterResults = cliResults(['--pack', join(dir, 'pack.rhai'), '--period', '2024', CSV]);
  return before.filter((r, i) => (r.class_label ?? r.status) !== (afterResults[i].class_label ?? afterResults[i].status)).length;
}

const tuned = (min) => `extends("vn.enterprise");\npack(#{ id: "t", title: "t", version: "1" });\nchange_band("tot", #{ min: ${min} });\n`;

async function setTotThreshold(min) {
  await page.fill('#tune-b-tot', String(min));
  await page.press('#tune-b-tot', 'Tab'); // commits the value: a change event
  await page.waitForFunction(() => /^Đã chấm lại/.test(document.getElementById('tune-summary').textContent), null, { timeout: 120000 });
  return Number(await page.textContent('#moved-count'));
}

test('tune: changing a band threshold moves enterprises, as the CLI with the changed pack says', async () => {
  await page.click('#tab-tune');
  const at90 = await setTotThreshold(90);
  assert.equal(at90, movedByCli(tuned(90)));
  assert.ok(at90 > 0);
  assert.equal(await page.$$eval('#moved-table tbody tr', (rows) => rows.length), at90);
  await shot('3-dieu-chinh-90');
  const at85 = await setTotThreshold(85);
  assert.equal(at85, movedByCli(tuned(85)));
  assert.notEqual(at85, at90);
  await shot('3-dieu-chinh-85');
});

test('a hostile pack shows its error with the line, and the page keeps working', async () => {
  for (const [file, line] of [['loop-at-load.rhai', 4], ['loop-in-rule.rhai', 4], ['syntax-error.rhai', 4]]) {
    await page.fill('#tune-source', readText('tests/hostile', file));
    await page.click('#tune-run');
    await page.waitForFunction(() => document.getElementById('tune-error').textContent !== '', null, { timeout: 120000 });
    const error = await page.textContent('#tune-error');
    if (file === 'syntax-error.rhai') assert.match(error, /PACK_SYNTAX/);
    else assert.match(error, /vượt giới hạn/);
    assert.ok(error.includes(`Dòng ${line}`) || error.includes(`dieu-chinh.rhai:${line}`), error);
    await shot(`4-bo-quy-tac-doc-${file.replace('.rhai', '')}`);
  }
  // Still working: tuning again, and the form.
  const again = await setTotThreshold(90);
  assert.equal(again, movedByCli(tuned(90)));
  assert.equal(await page.textContent('#tune-error'), '');
  await page.click('#tab-form');
  await page.fill('#f-employees', '300');
  await page.waitForFunction(() => document.getElementById('f-employees-error').textContent === '');
  assert.notEqual(await page.textContent('#result-class'), '—');
  await shot('4-van-hoat-dong');
  assert.deepStrictEqual(consoleErrors, []);
});

test('score a workbook: an .xlsx filled as a person would gives the CLI\'s counts and CSV', async () => {
  const XLSX = join(repo, 'tests', 'workbooks', 'cong-doan-a.xlsx');
  await page.click('#tab-file');
  await page.setInputFiles('#file', XLSX);
  const expected = cliResults(['--pack', 'vn.enterprise', '--period', '2024', XLSX]);
  await page.waitForFunction((n) => document.getElementById('file-summary').textContent.startsWith(`Đã chấm ${n} `), expected.length, { timeout: 120000 });
  assert.deepStrictEqual(await pageCounts(), expectedCounts(expected, ['Tốt', 'Khá', 'Trung bình', 'Yếu']));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#file-csv')]);
  const csv = readFileSync(await download.path(), 'utf8');
  // The CLI adds where each record came from (file, sheet, row); the page scores one file.
  const where = new RegExp(`,${XLSX.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')},Dữ liệu,\\d+\n`, 'g');
  const cliCsv = cli(['score', '--pack', 'vn.enterprise', '--period', '2024', '--format', 'csv', XLSX]).stdout
    .replace(',source.file,source.sheet,source.row\n', '\n')
    .replace(where, '\n');
  assert.equal(csv, `\ufeff${cliCsv}`);
  await shot('5-theo-bang-tinh');
  assert.deepStrictEqual(consoleErrors, []);
});

test('score a file saved as Unicode text (.txt, UTF-16): the same counts as its UTF-8 CSV', async () => {
  const text = readFileSync(CSV, 'utf8');
  const buffer = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  await page.click('#tab-file');
  // The summary of the file before says 'Đã chấm' too: start from nothing.
  await page.evaluate(() => { document.getElementById('file-summary').textContent = ''; });
  await page.setInputFiles('#file', { name: 'van-ban-unicode.txt', mimeType: 'text/plain', buffer });
  const expected = cliResults(['--pack', 'vn.enterprise', '--period', '2024', CSV]);
  await page.waitForFunction((n) => document.getElementById('file-summary').textContent.startsWith(`Đã chấm ${n} `), expected.length, { timeout: 120000 });
  assert.deepStrictEqual(await pageCounts(), expectedCounts(expected, ['Tốt', 'Khá', 'Trung bình', 'Yếu']));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#file-csv')]);
  const cliCsv = cli(['score', '--pack', 'vn.enterprise', '--period', '2024', '--format', 'csv', CSV]).stdout;
  assert.equal(readFileSync(await download.path(), 'utf8'), `\ufeff${cliCsv}`);
  assert.deepStrictEqual(consoleErrors, []);
});
