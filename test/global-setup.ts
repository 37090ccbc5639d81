/**
 * Before the suite: builds dist/ (and the console into dist/console/) once — journeys and
 * CLI tests run the real compiled binaries — and gives the run a temp folder of its own
 * (TMPDIR, inherited by the test workers and every process they start), removed after
 * the run, so data dirs, packages and browser profiles do not pile up in /tmp.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-run-'));
  process.env.TMPDIR = runTmp;
  if (process.env.MODELDOCK_SKIP_BUILD !== '1') {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    execFileSync('npx', ['vite', 'build', '--config', 'console/vite.config.ts'], { stdio: 'inherit' });
  }
  return () => fs.rmSync(runTmp, { recursive: true, force: true });
}
