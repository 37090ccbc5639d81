/**
 * Batch jobs over REST, in process (Fastify inject) with real instances of a small Node
 * handler: checks at create, a CSV job with a bad row, stop mid-job, resource-group room.
 * The MNIST job with kills and restarts is test/batch-mnist.test.ts.
 */
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENTS } from '../openapi/schemas.js';
import { eventually, testPlatform, type TestPlatform } from '../../../test/support/platform.js';

let p: TestPlatform;
const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => p.app.inject({ method, url, ...(payload ? { payload } : {}) });

/** Adds a and b; a row whose a is not a number is refused as bad input (400); `sleepMs` slows it. */
const HANDLER = `export default class M {
  constructor(dir, ctx) { this.ctx = ctx; }
  async predict(b) {
    if (b.sleepMs) await new Promise((r) => setTimeout(r, b.sleepMs));
    if (typeof b.a !== 'number') throw this.ctx.badInput('a is not a number');
    return { sum: b.a + (b.b ?? 0) };
  }
}`;

const ended = (name: string) =>
  eventually(
    async () => {
      const j = (await call('GET', `/api/v1/batch-jobs/${name}`)).json();
      return ['Succeeded', 'Failed', 'Stopped'].includes(j.state) ? j : undefined;
    },
    60_000,
    `${name} to end`,
  );

/** Answers each image's length; an image that is "bad" refuses the whole request (400). */
const COUNTER = `export default class M {
  constructor(dir, ctx) { this.ctx = ctx; }
  predict(b) {
    const texts = b.images.map((i) => Buffer.from(i, 'base64').toString());
    if (texts.includes('bad')) throw this.ctx.badInput('a bad image');
    return { predictions: texts.map((t) => t.length), requestSize: texts.length };
  }
}`;

beforeAll(async () => {
  p = await testPlatform();
  await p.blobs.put('pkgs/counter/model_service.js', Buffer.from(COUNTER));
  expect(
    (
      await call('POST', '/api/v1/models/counter/versions', {
        source: { type: 'storage', path: 'pkgs/counter' },
        format: 'custom',
        runtime: 'node20-handler',
        createModel: true,
      })
    ).statusCode,
  ).toBe(202);
  for (const [k, v] of Object.entries({ a: 'a', b: 'bb', c: 'bad', d: 'cccc', e: 'ddddd' })) await p.blobs.put(`imgs/${k}.png`, Buffer.from(v));
  await p.blobs.put('pkgs/adder/model_service.js', Buffer.from(HANDLER));
  const v = await call('POST', '/api/v1/models/adder/versions', {
    source: { type: 'storage', path: 'pkgs/adder' },
    format: 'custom',
    runtime: 'node20-handler',
    createModel: true,
  });
  expect(v.statusCode, v.body).toBe(202);
  await eventually(async () => (await call('GET', '/api/v1/models/adder/versions/v1')).json().status === 'ready', 30_000, 'adder v1 ready');
  await p.blobs.put('data/rows.csv', Buffer.from('a,b\n1,2\n"3",4.5\nx,1\n'));
  await p.blobs.put('data/slow.jsonl', Buffer.from(Array.from({ length: 40 }, (_, i) => JSON.stringify({ a: i, sleepMs: 100 })).join('\n')));
});
afterAll(async () => {
  await p?.close();
});

describe('batch jobs API', () => {
  it('refuses a job it cannot run, saying why', async () => {
    const base = { name: 'x', model: 'adder', modelVersion: 'v1', input: { path: 'data/rows.csv' } };
    expect((await call('POST', '/api/v1/batch-jobs', { ...base, model: undefined })).json().error.code).toBe('INVALID_ARGUMENT');
    expect((await call('POST', '/api/v1/batch-jobs', { ...base, model: 'nope' })).json().error.code).toBe('MODEL_NOT_FOUND');
    expect((await call('POST', '/api/v1/batch-jobs', { ...base, modelVersion: 'v9' })).json().error.code).toBe('VERSION_NOT_FOUND');
    expect((await call('POST', '/api/v1/batch-jobs', { ...base, input: { path: 'data/none.csv' } })).json().error.code).toBe('SOURCE_NOT_FOUND');
    expect((await call('POST', '/api/v1/batch-jobs', { ...base, input: { path: '../etc' } })).json().error.code).toBe('INVALID_PATH');
    expect((await call('POST', '/api/v1/batch-jobs', { ...base, output: 'models/x' })).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/batch-jobs/nope')).json().error.code).toBe('BATCH_JOB_NOT_FOUND');
    await call('POST', '/api/v1/resource-groups', { name: 'small', cpuMillicores: 1000, memoryMiB: 4096 });
    const big = await call('POST', '/api/v1/batch-jobs', { ...base, instances: 2, billingMode: 'prepaid', resourceGroup: 'small' });
    expect([big.statusCode, big.json().error.code]).toEqual([409, 'NO_CAPACITY']);
    // an admitted job holds its room while it runs, as a service does, and gives it back when it ends
    expect(
      (
        await call('POST', '/api/v1/batch-jobs', {
          ...base,
          name: 'grouped',
          billingMode: 'prepaid',
          resourceGroup: 'small',
          resources: { cpuMillicores: 1000, memoryMiB: 512 },
        })
      ).statusCode,
    ).toBe(202);
    expect((await call('GET', '/api/v1/resource-groups/small')).json()).toMatchObject({
      used: { cpuMillicores: 1000, memoryMiB: 512 },
      services: ['batch.grouped'],
    });
    const full = await call('POST', '/api/v1/batch-jobs', {
      ...base,
      name: 'later',
      billingMode: 'prepaid',
      resourceGroup: 'small',
      resources: { cpuMillicores: 500, memoryMiB: 512 },
    });
    expect(full.json().error.code).toBe('NO_CAPACITY');
    await ended('grouped');
    expect((await call('GET', '/api/v1/resource-groups/small')).json()).toMatchObject({ used: { cpuMillicores: 0 }, services: [] });
    // and its instance time is metered under batch.<job>, as a service's
    const usage = await p.db.kysely.selectFrom('service_usage').selectAll().where('service_name', '=', 'batch.grouped').execute();
    expect(usage.reduce((a, r) => a + r.cpu_core_seconds, 0)).toBeGreaterThan(0);
  });

  it('runs a CSV file row by row: answers, an error line for the bad row, a summary; then the output is taken', async () => {
    const res = await call('POST', '/api/v1/batch-jobs', {
      name: 'rows',
      model: 'adder',
      modelVersion: 1,
      input: { path: 'data/rows.csv' },
      maxErrorRatio: 0.5,
      batching: { maxBatchSize: 2, maxQueueDelayMs: 1 },
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ state: 'Pending', input: { format: 'csv' }, output: 'data/rows.csv.rows.out', concurrency: 4 });
    const j = await ended('rows');
    expect(j).toMatchObject({ state: 'Succeeded', progress: { total: 3, done: 3, succeeded: 2, failed: 1, percent: 100 } });
    // the answers are what the OpenAPI document says
    const page = (await call('GET', '/api/v1/batch-jobs')).json();
    expect([...Value.Errors(COMPONENTS.BatchJob!, j), ...Value.Errors(COMPONENTS.BatchJobPage!, page)].map((e) => `${e.path} ${e.message}`)).toEqual([]);
    const parts = (await p.blobs.list('data/rows.csv.rows.out/results')).map((o) => o.key);
    const lines = (await Promise.all(parts.map(async (k) => (await p.blobs.read(k)).toString().trim().split('\n')))).flat().map((l) => JSON.parse(l));
    expect(lines.sort((a, b) => a.input.localeCompare(b.input))).toEqual([
      { input: 'data/rows.csv#1', output: { sum: 3 } },
      { input: 'data/rows.csv#2', output: { sum: 7.5 } },
      { input: 'data/rows.csv#3', error: { code: 'INVALID_INPUT', message: expect.stringContaining('a is not a number') } },
    ]);
    const summary = JSON.parse((await p.blobs.read('data/rows.csv.rows.out/summary.json')).toString());
    expect(summary).toMatchObject({ job: 'rows', state: 'Succeeded', total: 3, succeeded: 2, failed: 1, parts });
    const again = await call('POST', '/api/v1/batch-jobs', {
      name: 'rows2',
      model: 'adder',
      modelVersion: 1,
      input: { path: 'data/rows.csv' },
      output: 'data/rows.csv.rows.out',
    });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'BATCH_OUTPUT_IN_USE']);
    expect((await call('POST', '/api/v1/batch-jobs/rows/actions', { action: 'stop' })).json().error.code).toBe('BATCH_JOB_FINISHED');
    expect((await call('GET', '/api/v1/batch-jobs?state=Succeeded')).json().items.map((x: { name: string }) => x.name)).toContain('rows');
    expect((await call('DELETE', '/api/v1/batch-jobs/rows')).statusCode).toBe(204);
  });

  it('sends several images per request and splits the answers back; a refused pack goes one by one', async () => {
    await eventually(async () => (await call('GET', '/api/v1/models/counter/versions/v1')).json().status === 'ready', 30_000, 'counter v1 ready');
    const res = await call('POST', '/api/v1/batch-jobs', {
      name: 'packed',
      model: 'counter',
      modelVersion: 'v1',
      input: { path: 'imgs' },
      recordsPerRequest: 2,
      concurrency: 1,
      maxErrorRatio: 0.5,
    });
    expect([res.statusCode, res.json().recordsPerRequest], res.body).toEqual([202, 2]);
    const j = await ended('packed');
    expect(j).toMatchObject({ state: 'Succeeded', progress: { total: 5, succeeded: 4, failed: 1 } });
    const lines = (
      await Promise.all((await p.blobs.list('imgs.packed.out/results')).map(async (o) => (await p.blobs.read(o.key)).toString().trim().split('\n')))
    )
      .flat()
      .map((l) => JSON.parse(l));
    const byKey = Object.fromEntries(lines.map((l) => [l.input, l.output ?? l.error.code]));
    expect(byKey).toEqual({
      'imgs/a.png': { predictions: [1], requestSize: 2 },
      'imgs/b.png': { predictions: [2], requestSize: 2 },
      // c's pack was refused: each went alone
      'imgs/c.png': 'INVALID_INPUT',
      'imgs/d.png': { predictions: [4], requestSize: 1 },
      'imgs/e.png': { predictions: [5], requestSize: 1 },
    });
  });

  it('stops mid-job on request, keeping what is done', async () => {
    expect(
      (
        await call('POST', '/api/v1/batch-jobs', {
          name: 'slow',
          model: 'adder',
          modelVersion: 'v1',
          input: { path: 'data/slow.jsonl' },
          concurrency: 1,
          batching: { maxBatchSize: 1, maxQueueDelayMs: 0 },
        })
      ).statusCode,
    ).toBe(202);
    await eventually(async () => (await call('GET', '/api/v1/batch-jobs/slow')).json().progress.done > 0, 30_000, 'slow to make progress');
    expect((await call('DELETE', '/api/v1/batch-jobs/slow')).json().error.code).toBe('BATCH_JOB_RUNNING');
    expect((await call('POST', '/api/v1/batch-jobs/slow/actions', { action: 'stop' })).json().stopRequested).toBe(true);
    const j = await ended('slow');
    expect(j.state).toBe('Stopped');
    expect(j.progress.done).toBeGreaterThan(0);
    expect(j.progress.done).toBeLessThan(40);
    const summary = JSON.parse((await p.blobs.read('data/slow.jsonl.slow.out/summary.json')).toString());
    expect(summary).toMatchObject({ state: 'Stopped', succeeded: j.progress.done });
  });
});
