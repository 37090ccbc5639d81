/**
 * Two platform replicas (`modeldock up` twice) on one PostgreSQL database serve the same
 * services: both answer the API and the gateway, exactly one runs the reconciler (and so
 * the instances; a call through a follower wakes a service scaled to zero), and when that one is killed with SIGKILL the other takes over: it starts
 * the instances again and keeps answering calls.
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

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-replicas-'));
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

type Replica = UpProcess;

async function up(databaseUrl: string): Promise<Replica> {
  const r = await spawnUp(dataDir, { MODELDOCK_DATABASE_URL: databaseUrl, MODELDOCK_LEASE_TTL_MS: '3000' });
  children.push(r.child);
  return r;
}

const instances = () => instanceProcesses(dataDir);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const json = async (url: string, method = 'GET', body?: unknown): Promise<Json> =>
  (await fetch(url, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined })).json();

const running = (r: Replica) => async () => {
  const s = await json(`${r.url}/api/v1/services/echo`);
  return s.status === 'Running' && s.versions[0].readyInstances === 2;
};

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const i of instances()) process.kill(i.pid, 'SIGKILL');
  for (const c of cleanups) await c();
});

describe('two replicas on one PostgreSQL', () => {
  it('serve the same services with one reconciler, and fail over when the leader is killed', async () => {
    const db = await freshPgDatabase('replicas');
    cleanups.push(db.drop);
    const a = await up(db.url);
    await eventually(async () => (await json(`${a.url}/api/v1/cluster`)).role === 'leader', 20_000, 'a to lead');
    const b = await up(db.url);
    const bView = await json(`${b.url}/api/v1/cluster`);
    const aView = await json(`${a.url}/api/v1/cluster`);
    expect(bView).toMatchObject({ role: 'follower', leader: { holder: aView.replica } });

    // the model goes in through one replica, the service through the other
    const mp = multipart([
      { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
      { name: 'f', filename: 'model.onnx', data: tinyReluOnnx() },
    ]);
    await fetch(`${a.url}/api/v1/models/tiny/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
    await eventually(async () => (await json(`${b.url}/api/v1/models/tiny/versions/v1`)).status === 'ready', 30_000, 'import');
    const created = await json(`${b.url}/api/v1/services`, 'POST', {
      name: 'echo',
      version: { model: 'tiny', modelVersion: 'v1', resources: { cpuMillicores: 500, memoryMiB: 512 }, scaling: { mode: 'manual', instances: 2 } },
    });
    expect(created.name).toBe('echo');
    await eventually(running(a), 60_000, 'Running (seen by a)');
    await eventually(running(b), 10_000, 'Running (seen by b)');

    // exactly one reconciler: two instances, both children of the leader
    expect(instances().map((i) => i.parent)).toEqual([a.child.pid, a.child.pid]);
    for (const r of [a, b]) {
      const res = await eventually(
        async () => {
          const got = await call(`${r.url}/v2/models/echo/infer`, { body: tinyInferBody([-2, 3, -1, 1]) });
          return got.status === 200 ? got : undefined;
        },
        10_000,
        `a call through ${r === a ? 'a' : 'b'}`,
      );
      expect(res.json().outputs[0].data).toEqual([0, 3, 0, 1]);
    }

    // a call through the follower wakes a service scaled to zero (the leader starts it)
    await json(`${b.url}/api/v1/services`, 'POST', {
      name: 'lazy',
      version: {
        model: 'tiny',
        modelVersion: 'v1',
        resources: { cpuMillicores: 500, memoryMiB: 512 },
        scaling: { mode: 'auto', minInstances: 0, maxInstances: 1, metric: 'concurrency', target: 4 },
      },
    });
    await eventually(async () => (await json(`${a.url}/api/v1/services/lazy`)).status === 'Running', 30_000, 'lazy Running with no instance');
    expect(instances()).toHaveLength(2);
    const woken = await call(`${b.url}/v2/models/lazy/infer`, { body: tinyInferBody([-2, 3, -1, 1]) });
    expect([woken.status, woken.json().outputs?.[0].data]).toEqual([200, [0, 3, 0, 1]]);
    expect(instances().map((i) => i.parent)).toEqual([a.child.pid, a.child.pid, a.child.pid]);
    await json(`${b.url}/api/v1/services/lazy`, 'DELETE');
    await eventually(() => instances().length === 2, 30_000, 'lazy to go');

    // the leader dies: its instances go with it; b leads, starts them again, answers calls
    a.child.kill('SIGKILL');
    await eventually(() => instances().every((i) => i.parent !== a.child.pid), 30_000, "a's instances to exit");
    await eventually(async () => (await json(`${b.url}/api/v1/cluster`)).role === 'leader', 20_000, 'b to lead');
    await eventually(async () => (await running(b)()) && instances().length === 2, 60_000, 'Running again, on b');
    expect(instances().map((i) => i.parent)).toEqual([b.child.pid, b.child.pid]);
    const after = await eventually(
      async () => {
        const got = await call(`${b.url}/v2/models/echo/infer`, { body: tinyInferBody([-2, 3, -1, 1]) });
        return got.status === 200 ? got : undefined;
      },
      10_000,
      'a call through b after the failover',
    );
    expect(after.json().outputs[0].data).toEqual([0, 3, 0, 1]);
    const events = (await json(`${b.url}/api/v1/services/echo/events`)).items.map((e: { reason: string }) => e.reason);
    expect(events).toContain('Scheduled');
  });
});
