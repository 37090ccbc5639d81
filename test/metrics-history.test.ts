/**
 * The console charts' 10 s buckets live in the store (issue 19 §3): a platform restarted on
 * the same data dir still charts the calls made before, and two replicas on one PostgreSQL
 * database chart the sum of the calls each took.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricsPoint } from '../src/contracts/service-ops.js';
import { eventually, importPlaceholder, testPlatform, type TestPlatform } from './support/platform.js';
import { freshPgDatabase } from './support/pg.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** A service that needs a token and runs no instance: calls without one are answered 401 by the gateway (and counted). */
async function service(p: TestPlatform, name: string): Promise<void> {
  await importPlaceholder(p);
  const version = { model: 'm', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 1024 }, scaling: { mode: 'manual', instances: 0 } };
  expect((await p.app.inject({ method: 'POST', url: '/api/v1/services', payload: { name, auth: true, version } })).statusCode).toBe(202);
}

async function calls(p: TestPlatform, name: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect((await p.app.inject({ method: 'POST', url: `/v2/models/${name}/infer`, payload: { inputs: [] } })).statusCode).toBe(401);
}

const points = async (p: TestPlatform, name: string, window = '5m') => {
  const r = await p.app.inject({ url: `/api/v1/services/${name}/metrics?window=${window}` });
  expect(r.statusCode).toBe(200);
  return (r.json() as { points: MetricsPoint[] }).points;
};
/** calls in all the window's buckets (qps is per second of a 10 s bucket) */
const charted = (ps: MetricsPoint[]) => Math.round(ps.reduce((s, x) => s + x.qps * 10, 0));

describe('chart history in the store', () => {
  it('a platform restarted on the same data dir still charts the calls made before', async () => {
    const first = await testPlatform();
    await service(first, 'hist');
    await eventually(
      async () => (await first.app.inject({ method: 'POST', url: '/v2/models/hist/infer', payload: {} })).statusCode === 401,
      10_000,
      'the gateway routes hist',
    );
    await calls(first, 'hist', 24);
    expect(charted(await points(first, 'hist'))).toBe(25);
    await first.close();

    const second = await testPlatform({ dataDir: first.dataDir });
    cleanups.push(() => second.close());
    const after = await points(second, 'hist');
    expect(charted(after)).toBe(25);
    expect(after.some((x) => x.p50Ms !== null)).toBe(true);
    // a wider window than the hour kept in memory reads the store too
    expect(charted(await points(second, 'hist', '6h'))).toBe(25);
    await calls(second, 'hist', 5);
    expect(charted(await points(second, 'hist'))).toBe(30);
  });

  it('two replicas on one database chart the sum of the calls each took', async () => {
    const pg = await freshPgDatabase('charts');
    cleanups.push(() => pg.drop());
    const a = await testPlatform({ databaseUrl: pg.url });
    cleanups.push(() => a.close());
    const b = await testPlatform({ databaseUrl: pg.url });
    cleanups.push(() => b.close());
    await service(a, 'shared');
    for (const p of [a, b])
      await eventually(
        async () => (await p.app.inject({ method: 'POST', url: '/v2/models/shared/infer', payload: {} })).statusCode === 401,
        15_000,
        'both replicas route shared',
      );
    await calls(a, 'shared', 9);
    await calls(b, 'shared', 19);
    // each replica writes its buckets once they close (every 10 s); each reads the other's from the store
    for (const p of [a, b]) await eventually(async () => charted(await points(p, 'shared')) === 30, 30_000, 'both replicas chart 30 calls');
  });
});
