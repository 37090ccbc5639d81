/** What every scenario gets: fixtures, the run's settings, the rows so far, and a measure helper. */
import type { Fixtures } from './fixtures.js';
import { load, type LoadResult, type LoadSpec } from './load.js';
import { Watch, type Group } from './procs.js';
import type { Row } from './report.js';

export interface Ctx {
  fx: Fixtures;
  /** seconds per measured load run */
  seconds: number;
  tmp: string;
  rows: Row[];
  /** rows by key, for later scenarios' baselines */
  saved: Map<string, Row>;
  log: (msg: string) => void;
}

/** A load generator other than autocannon's HTTP (gRPC): runs for `seconds` at `connections`. */
export interface CustomLoad {
  connections: number;
  run: (seconds: number) => Promise<LoadResult>;
}

/** One measured load run (after a 1 s warm-up at the same concurrency), with usage of `groups`. */
export async function measure(
  ctx: Ctx,
  spec: Omit<LoadSpec, 'seconds'> | CustomLoad,
  groups: Record<string, Group>,
  row: Omit<Row, 'vs'> & { vs?: Row['vs'] },
  key?: string,
): Promise<Row> {
  const run = 'run' in spec ? spec.run : (seconds: number) => load({ ...spec, seconds });
  await run(1);
  const watch = new Watch(groups).start();
  const r = await run(ctx.seconds);
  const usage = watch.stop();
  const out: Row = { ...row, c: spec.connections, rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, usage, vs: row.vs ?? [] };
  ctx.rows.push(out);
  if (key) ctx.saved.set(key, out);
  ctx.log(`${row.scenario} | ${row.case} c=${spec.connections}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}`);
  return out;
}

/** A row saying why a scenario (or part) could not run. */
export function skipped(ctx: Ctx, scenario: string, what: string, why: string): void {
  ctx.rows.push({ scenario, case: what, vs: [], note: `not run: ${why}` });
  ctx.log(`${scenario} | ${what}: not run: ${why}`);
}
