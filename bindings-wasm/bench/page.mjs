// Benchmark (not a test): in headless Chromium, the time from navigation to
// the form's first score, and the time to score a file of N records in the
// page (read, scored in the worker, shown). Usage: node bench/page.mjs [N=10000]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const wasmDir = dirname(here);
const repo = dirname(wasmDir);
const count = Number(process.argv[2] ?? 10000);
const file = join(here, 'out', `records-${count}.csv`);
if (!existsSync(file)) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, execFileSync('python3', [join(repo, 'examples', 'generate.py'), '--count', String(count),
    '--year', '2024', '--seed', '7', '--format', 'csv', '--bad-fraction', '0.01'], { maxBuffer: 1 << 30 }));
}
execFileSync('node', [join(wasmDir, 'scripts', 'site.mjs')]);
const port = 8765;
const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', join(wasmDir, 'site')], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 1000));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
try {
  const firstScores = [];
  const fileTimes = [];
  for (let run = 0; run < 3; run += 1) {
    const context = await browser.newContext(); // a cold cache each run
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
    firstScores.push(await page.evaluate(() => performance.getEntriesByName('first-score')[0].startTime));
    await page.click('#tab-file');
    await page.setInputFiles('#file', file);
    await page.waitForFunction(() => performance.getEntriesByName('file-scored').length > 0, null, { timeout: 600000 });
    fileTimes.push(await page.evaluate(() => performance.getEntriesByName('file-scored')[0].duration));
    await context.close();
  }
  const fmt = (xs) => `best ${Math.min(...xs).toFixed(0)} ms (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;
  console.log(`page load to first score: ${fmt(firstScores)}`);
  console.log(`score a ${count}-record CSV in the page (worker, table, chart): ${fmt(fileTimes)}`);
} finally {
  await browser.close();
  server.kill();
}
