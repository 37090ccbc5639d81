/**
 * Token limits are counted in the store: two platform replicas (`modeldock up` twice) on
 * one PostgreSQL database together let a token make its per-day limit, within the overshoot
 * docs/security.md states (calls the other replica let through since this one last read
 * the shared count); and a restarted platform (SQLite) still refuses a token that used
 * up its day.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call } from './gateway-harness.js';
import { tinyInferBody, tinyReluOnnx } from './gateway-model.js';
import { eventually } from './support/platform.js';
import { multipart } from './support/multipart.js';
import { freshPgDatabase } from './support/pg.js';
import { instanceProcesses, spawnUp, type UpProcess } from './support/up.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

async function up(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<UpProcess> {
  const r = await spawnUp(dataDir, env);
  children.push(r.child);
  return r;
}

const tempDir = (tag: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `modeldock-${tag}-`));
  dirs.push(d);
  return d;
};

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) for (const i of instanceProcesses(d)) process.kill(i.pid, 'SIGKILL');
  for (const c of cleanups) await c();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const json = async (url: string, method = 'GET', body?: unknown): Promise<Json> =>
  (await fetch(url, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined })).json();

/** Imports the tiny model and runs service `svc` (auth on, one instance) through `p`. */
async function runService(p: UpProcess): Promise<void> {
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
    { name: 'f', filename: 'model.onnx', data: tinyReluOnnx() },
  ]);
  await fetch(`${p.url}/api/v1/models/tiny/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
  await eventually(async () => (await json(`${p.url}/api/v1/models/tiny/versions/v1`)).status === 'ready', 30_000, 'import');
  const created = await json(`${p.url}/api/v1/services`, 'POST', {
    name: 'svc',
    auth: true,
    version: { model: 'tiny', modelVersion: 'v1', resources: { cpuMillicores: 500, memoryMiB: 512 }, scaling: { mode: 'manual', instances: 1 } },
  });
  expect(created.name).toBe('svc');
}

const running = (p: UpProcess) => async () => {
  const s = await json(`${p.url}/api/v1/services/svc`);
  return s.status === 'Running' && s.versions[0].readyInstances === 1;
};

const infer = (p: UpProcess, token: string) =>
  call(`${p.url}/v2/models/svc/infer`, { body: tinyInferBody([-2, 3, -1, 1]), headers: { authorization: `Bearer ${token}` } });

const usageDay = async (p: UpProcess, id: string): Promise<number> => (await json(`${p.url}/api/v1/services/svc/tokens/${id}`)).usage.day;

/** A per-day count must not meet midnight UTC mid-test: wait for the new day when it is close. */
async function clearOfMidnight(): Promise<void> {
  const DAY = 86_400_000;
  if (DAY - (Date.now() % DAY) < 180_000) await eventually(() => Date.now() % DAY < DAY - 180_000, 200_000, 'midnight UTC to pass');
}

describe('token limits counted once', () => {
  it('two replicas on one PostgreSQL together allow a token its per-day limit, within the stated overshoot', async () => {
    const db = await freshPgDatabase('limits');
    cleanups.push(db.drop);
    const dataDir = tempDir('limits-replicas');
    const a = await up(dataDir, { MODELDOCK_DATABASE_URL: db.url });
    await eventually(async () => (await json(`${a.url}/api/v1/cluster`)).role === 'leader', 20_000, 'a to lead');
    const b = await up(dataDir, { MODELDOCK_DATABASE_URL: db.url });
    await runService(b);
    await eventually(running(a), 60_000, 'Running (seen by a)');
    await eventually(running(b), 10_000, 'Running (seen by b)');
    const LIMIT = 30;
    const PER_ROUND = 4; // calls through each replica between two points where both have read the shared count
    const t = await json(`${a.url}/api/v1/services/svc/tokens`, 'POST', { name: 'shared', limits: { perDay: LIMIT } });
    // each gateway routes to the instance and knows both tokens (one without limits, made
    // after the limited one, so that nothing is counted yet)
    const warm = await json(`${a.url}/api/v1/services/svc/tokens`, 'POST', { name: 'warm-up' });
    for (const r of [a, b]) await eventually(async () => (await infer(r, warm.token)).status === 200, 10_000, 'a call through each replica');
    await clearOfMidnight();

    let admitted = 0;
    for (let round = 0; round < 20; round++) {
      const replies = await Promise.all([a, b].flatMap((r) => Array.from({ length: PER_ROUND }, () => infer(r, t.token))));
      const ok = replies.filter((r) => r.status === 200);
      const refused = replies.filter((r) => r.status !== 200);
      for (const r of refused) expect([r.status, r.json().code ?? r.json().error?.code]).toEqual([429, 'RATE_LIMITED']);
      expect(ok.every((r) => JSON.stringify(r.json().outputs[0].data) === '[0,3,0,1]')).toBe(true);
      admitted += ok.length;
      if (ok.length === 0) break;
      // both replicas have written their calls and read the other's: the next round starts from the same count
      await eventually(
        async () => (await usageDay(a, t.id)) === admitted && (await usageDay(b, t.id)) === admitted,
        10_000,
        `both replicas to count ${admitted}`,
      );
    }
    // the limit, plus at most what the other replica let through since the last shared read
    expect(admitted).toBeGreaterThanOrEqual(LIMIT);
    expect(admitted).toBeLessThanOrEqual(LIMIT + PER_ROUND);
    for (const r of [a, b]) expect((await infer(r, t.token)).status).toBe(429);
  });

  it('a restarted platform (SQLite) still refuses a token that used up its day', async () => {
    const dataDir = tempDir('limits-restart');
    const first = await up(dataDir);
    await runService(first);
    await eventually(running(first), 60_000, 'Running');
    const t = await json(`${first.url}/api/v1/services/svc/tokens`, 'POST', { name: 'daily', limits: { perDay: 3 } });
    await clearOfMidnight();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await infer(first, t.token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);

    // a graceful stop writes the pending counts; the new process reads them from the store
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGTERM');
    await exited;
    await eventually(() => instanceProcesses(dataDir).length === 0, 30_000, 'the instances to go with the platform');
    const second = await up(dataDir);
    await eventually(running(second), 60_000, 'Running after the restart');
    const again = await infer(second, t.token);
    expect([again.status, again.json().code ?? again.json().error?.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    expect(await usageDay(second, t.id)).toBe(3);
  });
});
