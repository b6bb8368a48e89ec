// Runs the end-to-end suite: builds the bureau binary once (unless
// BUREAU_BIN names one), then `node --test` over e2e/*.test.mjs, one file at
// a time (each test starts its own server and browser; two cores are not
// enough for more). Arguments are passed on: `npm run e2e -- e2e/first-run.test.mjs`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { E2E_DIR, REPO_DIR } from './harness.mjs';

let built;
if (!process.env.BUREAU_BIN) {
  built = mkdtempSync(join(tmpdir(), 'bureau-e2e-bin-'));
  const bin = join(built, 'bureau');
  process.stderr.write(`building ${relative(process.cwd(), REPO_DIR) || '.'}/cmd/bureau into ${bin}\n`);
  const r = spawnSync('go', ['build', '-o', bin, './cmd/bureau'], { cwd: REPO_DIR, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  process.env.BUREAU_BIN = bin;
}

const args = process.argv.slice(2);
const files = args.some((a) => !a.startsWith('-'))
  ? []
  : readdirSync(E2E_DIR)
      .filter((f) => f.endsWith('.test.mjs'))
      .sort()
      .map((f) => relative(process.cwd(), join(E2E_DIR, f)));
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...args, ...files], {
  stdio: 'inherit',
  cwd: process.cwd(),
});
const stop = (sig) => child.kill(sig);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code, signal) => {
  if (built) rmSync(built, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
