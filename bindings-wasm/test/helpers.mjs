// Shared by the tests: paths, and the CLI whose answers the package must equal.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const wasmDir = dirname(here);
export const repo = dirname(wasmDir);
export const cliPath = process.env.CHAMDIEM_CLI ?? join(repo, 'target', 'debug', 'chamdiem');

if (!existsSync(cliPath)) {
  throw new Error(`${cliPath} is missing: build it with \`cargo build -p chamdiem-cli\` (or set CHAMDIEM_CLI)`);
}

/** Runs the CLI; `input` goes to its standard input. */
export function cli(args, input) {
  const run = spawnSync(cliPath, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The CLI's JSON lines for `args`, parsed; fails the test when the CLI
 * fails (exit code 1 only says that some records had errors). */
export function cliResults(args, input) {
  const run = cli(['score', '--format', 'jsonl', ...args], input);
  if (run.status !== 0 && run.status !== 1) throw new Error(`chamdiem ${args.join(' ')}: ${run.stderr}`);
  return run.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

export const readText = (...parts) => readFileSync(join(repo, ...parts), 'utf8');
export const readBytes = (...parts) => readFileSync(join(repo, ...parts));

/** Scores a whole file with `pack.scoreFile`, in steps of `step` records. */
export function scoreWholeFile(pack, bytes, format, period, step = 97) {
  const scoring = pack.scoreFile(bytes, format, period);
  const results = [];
  while (!scoring.done) results.push(...scoring.step(step));
  return { results, scoring };
}
