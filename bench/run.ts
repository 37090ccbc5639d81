/**
 * The benchmark suite (`npm run bench`, issue #7): eight scenarios on loopback, each run
 * bounded in time, every figure compared with a baseline measured in the same run. Writes
 * test-artifacts/bench/results.{md,json}; with --docs also the table in docs/benchmarks.md.
 *
 *   npm run bench [-- --seconds 5] [--only 1,2,4] [--docs] [--profile]
 *
 * --profile: every Node process the bench starts itself writes a V8 CPU profile on exit into
 * test-artifacts/bench/profiles/ (open in Chrome DevTools or speedscope; `node
 * test-artifacts/bench-build/bench/prof-top.js <file>` prints the top self-time functions).
 *
 * Needs `npm run build` (the scenarios run bin/modeldock.js), /usr/bin/python3 with torch
 * (the MNIST model is exported at bench time) and examples/fixtures (SqueezeNet, a photo);
 * a scenario that cannot run says why in the table.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Ctx } from './lib/context.js';
import { makeFixtures } from './lib/fixtures.js';
import { markdown } from './lib/report.js';
import { ROOT } from './lib/spawn.js';
import { controlPlane } from './scenarios/control-plane.js';
import { bareHttp, limit } from './scenarios/floor.js';
import { batching, direct, tione } from './scenarios/instance.js';
import { onPlatform } from './scenarios/platform.js';
import { capture } from './scenarios/capture.js';
import { shadow } from './scenarios/shadow.js';
import { batchJob } from './scenarios/batch-job.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const seconds = Number(arg('seconds', '5'));
const only = new Set(arg('only', '1,2,3,4,5,6,7,8,9,10,11').split(',').map(Number));
if (process.argv.includes('--profile')) {
  // the Node processes the bench starts itself (instances, `modeldock up`, bare HTTP) write
  // a profile when they exit; instances that `up` starts are not profiled
  const dir = path.join(ROOT, 'test-artifacts/bench/profiles');
  fs.mkdirSync(dir, { recursive: true });
  process.env.MODELDOCK_BENCH_PROFILE_DIR = dir;
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const sh = (cmd: string) => {
  try {
    return execSync(cmd, { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '?';
  }
};

async function main(): Promise<void> {
  const t0 = performance.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-bench-'));
  const loadBefore = load();
  const log = (m: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
  try {
    log(`making fixtures in ${tmp}`);
    const fx = await makeFixtures(tmp);
    const ctx: Ctx = { fx, seconds, tmp, rows: [], saved: new Map(), log };
    // order matters: later scenarios compare with earlier ones (3 with 2, 4 with 2 and 3, …)
    const scenarios: [number, string, (c: Ctx) => Promise<void>][] = [
      [1, '1 limit (in process)', limit],
      [2, '2 bare HTTP', bareHttp],
      [3, '3 instance direct', direct],
      [4, '4 through the gateway + 7 cold start', onPlatform],
      [5, '5 dynamic batching', batching],
      [6, '6 TI-ONE path', tione],
      [8, '8 control plane', controlPlane],
      [9, '9 payload capture', capture],
      [10, '10 shadow traffic', shadow],
      [11, '11 batch job', batchJob],
    ];
    for (const [n, name, fn] of scenarios) {
      if (!only.has(n) && !(n === 4 && only.has(7))) continue;
      try {
        await fn(ctx);
      } catch (e) {
        ctx.rows.push({ scenario: name, case: '(scenario)', vs: [], note: `failed: ${(e as Error).message.split('\n')[0]!.slice(0, 300)}` });
        log(`${name} failed: ${(e as Error).stack}`);
      }
    }
    const took = (performance.now() - t0) / 1000;
    const machine = {
      date: new Date().toISOString(),
      commit: sh('git rev-parse --short HEAD'),
      cpu: `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}`,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: sh('. /etc/os-release && echo $PRETTY_NAME'),
      node: process.version,
      loadBefore,
      loadAfter: load(),
      seconds,
      tookSeconds: Math.round(took),
      modelTrained: fx.trained,
    };
    const head = [
      `Run ${machine.date} at ${machine.commit}: ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}.`,
      `Load average (1/5/15 min) before ${machine.loadBefore}, after ${machine.loadAfter} (the machine is shared: other work runs beside the bench).`,
      `${seconds} s per measured run after a 1 s warm-up; load generator autocannon in the bench process (it takes a core of its own); the whole suite took ${machine.tookSeconds} s.`,
    ].join('\n');
    const table = markdown(ctx.rows);
    const outDir = path.join(ROOT, 'test-artifacts/bench');
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'results.md'), `${head}\n\n${table}\n`);
    fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify({ machine, rows: ctx.rows }, null, 2));
    if (process.argv.includes('--docs')) writeDocs(`${head}\n\n${table}`);
    process.stdout.write(`${head}\n\n${table}\n`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Replaces the table between the bench markers in docs/benchmarks.md. */
function writeDocs(text: string): void {
  const file = path.join(ROOT, 'docs/benchmarks.md');
  const doc = fs.readFileSync(file, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`docs/benchmarks.md has no ${start} … ${end} section`);
  fs.writeFileSync(file, `${doc.slice(0, a + start.length)}\n${text}\n${doc.slice(b)}`);
}

await main();
