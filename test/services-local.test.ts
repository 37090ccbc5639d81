/**
 * Online services on the local backend, end to end: the real platform (in this process,
 * listening on loopback), real `modeldock instance` child processes on a real ONNX model,
 * calls through the gateway. Every scenario runs under a bounded concurrent load loop
 * and asserts that no call failed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import type { Service } from '../src/contracts/services.js';
import { call, load } from './gateway-harness.js';
import { tinyInferBody, tinyOnnx, tinyReluOnnx } from './gateway-model.js';
import { eventually } from './support/platform.js';
import { multipart } from './support/multipart.js';

let p: Platform;

const api = async <T = Service>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: object): Promise<T> => {
  const res = await fetch(`${p.url}${url}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await res.json()) as T;
};

const version = (extra: object = {}) => ({
  model: 'tiny',
  modelVersion: 'v1',
  resources: { cpuMillicores: 1000, memoryMiB: 512 },
  scaling: { mode: 'manual', instances: 1 },
  ...extra,
});

const status = (name: string) => api('GET', `/api/v1/services/${name}`);
const running = (name: string, ready: number) =>
  eventually(
    async () => {
      const s = await status(name);
      if (s.status === 'Failed') throw new Error(`service failed: ${s.reason}`);
      const r = s.versions.reduce((a, v) => a + v.readyInstances, 0);
      return s.status === 'Running' && r === ready ? s : null;
    },
    60_000,
    `${name} Running with ${ready} ready`,
  );

const infer = (name: string) => call(`${p.url}/v2/models/${name}/infer`, { body: tinyInferBody([-1, 0, 0.5, 4]) }).then((r) => r.status);

/** Calls the service from 4 workers until `done()`; answers every status seen. */
async function underLoad(name: string, work: () => Promise<void>): Promise<number[]> {
  let stop = false;
  const loop = load(
    1_000_000,
    4,
    () => infer(name),
    () => stop,
  );
  try {
    await work();
  } finally {
    stop = true;
  }
  return loop;
}

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-services-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200, batchStatsEveryMs: 500 });
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
    { name: 'f', filename: 'model.onnx', data: tinyReluOnnx() },
  ]);
  await fetch(`${p.url}/api/v1/models/tiny/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
  await eventually(async () => (await api<{ status: string }>('GET', '/api/v1/models/tiny/versions/v1')).status === 'ready');
  // v2 of the same model answers |x| instead of relu(x), so every answer tells which version served it
  const v2 = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu' }) },
    { name: 'f', filename: 'model.onnx', data: tinyOnnx('Abs') },
  ]);
  await fetch(`${p.url}/api/v1/models/tiny/versions`, { method: 'POST', headers: v2.headers, body: v2.payload });
  await eventually(async () => (await api<{ status: string }>('GET', '/api/v1/models/tiny/versions/v2')).status === 'ready');
});

/** Which model version answered: relu(-1) = 0 (v1), |-1| = 1 (v2); 0 when the call failed. */
const served = async (name: string): Promise<'v1' | 'v2' | number> => {
  const r = await call(`${p.url}/v2/models/${name}/infer`, { body: tinyInferBody([-1, 0, 0.5, 4]) });
  if (r.status !== 200) return r.status;
  return r.json().outputs[0].data[0] === 0 ? 'v1' : 'v2';
};

afterAll(async () => {
  await p?.close();
});

describe('a service on the local backend', () => {
  it('goes Creating → Running and answers OIP v2 and metadata through the gateway', async () => {
    const created = await api('POST', '/api/v1/services', { name: 'relu', version: version() });
    expect(created.status).toBe('Creating');
    await running('relu', 1);
    const r = await call(`${p.url}/v2/models/relu/infer`, { body: tinyInferBody([-1, 0, 0.5, 4]) });
    expect(r.status).toBe(200);
    expect(r.json().outputs[0].data).toEqual([0, 0, 0.5, 4]);
    expect((await call(`${p.url}/v2/models/relu`)).json().inputs[0].name).toBe('x');
    const inst = (await api<{ items: { phase: string; ready: boolean }[] }>('GET', '/api/v1/services/relu/instances')).items;
    expect(inst.map((i) => [i.phase, i.ready])).toEqual([['Ready', true]]);
  });

  it('scales 1 → 3 → 1 with no failed call', async () => {
    const statuses = await underLoad('relu', async () => {
      await api('POST', '/api/v1/services/relu/actions', { action: 'scale', instances: 3 });
      await running('relu', 3);
      await api('POST', '/api/v1/services/relu/actions', { action: 'scale', instances: 1 });
      await running('relu', 1);
      await eventually(() => p.backend.list().filter((i) => i.serviceName === 'relu').length === 1, 30_000, 'extra instances gone');
    });
    expect(statuses.length).toBeGreaterThan(50);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('replaces an instance killed with SIGKILL, losing no call, and says so in an event', async () => {
    await api('POST', '/api/v1/services/relu/actions', { action: 'scale', instances: 2 });
    await running('relu', 2);
    const victim = p.backend.list().find((i) => i.serviceName === 'relu' && i.phase === 'Ready')!;
    const statuses = await underLoad('relu', async () => {
      process.kill(victim.pid!, 'SIGKILL');
      await eventually(
        () => p.backend.list().find((i) => i.instanceId === victim.instanceId && i.restarts > 0 && i.phase === 'Ready'),
        30_000,
        'the instance restarted',
      );
      await running('relu', 2);
    });
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const events = (await api<{ items: { type: string; reason: string; object: string; message: string }[] }>('GET', '/api/v1/services/relu/events')).items;
    const crashed = events.find((e) => e.reason === 'Crashed');
    expect([crashed?.type, crashed?.object]).toEqual(['Warning', `instance/${victim.instanceId}`]);
    expect(crashed?.message).toMatch(/SIGKILL[\s\S]*; restarting$/);
  });

  it('rolls a settings update over its instances with no failed call', async () => {
    const before = new Set(
      p.backend
        .list()
        .filter((i) => i.serviceName === 'relu')
        .map((i) => i.instanceId),
    );
    const statuses = await underLoad('relu', async () => {
      await api('PUT', '/api/v1/services/relu/versions/1', version({ scaling: { mode: 'manual', instances: 2 }, env: { ROLLED: '1' } }));
      await eventually(
        async () => {
          const now = p.backend.list().filter((i) => i.serviceName === 'relu');
          return now.length === 2 && now.every((i) => !before.has(i.instanceId) && i.phase === 'Ready');
        },
        60_000,
        'every instance replaced',
      );
      await running('relu', 2);
    });
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('rolls its version over to model v2 under load with no failed call', async () => {
    const answers: ('v1' | 'v2' | number)[] = [];
    let stop = false;
    const loop = load(
      1_000_000,
      4,
      async () => {
        answers.push(await served('relu'));
        return 200;
      },
      () => stop,
    );
    await api('PUT', '/api/v1/services/relu/versions/1', version({ modelVersion: 'v2', scaling: { mode: 'manual', instances: 2 } }));
    await eventually(async () => (await served('relu')) === 'v2' && (await status('relu')).status === 'Running', 60_000, 'v2 serving everything');
    await eventually(() => p.backend.list().filter((i) => i.serviceName === 'relu').length === 2, 30_000, 'old instances gone');
    stop = true;
    await loop;
    expect(answers.filter((a) => typeof a === 'number')).toEqual([]);
    expect(answers.at(-1)).toBe('v2');
    expect((await status('relu')).versions[0]).toMatchObject({ modelVersion: 'v2', readyInstances: 2 });
  });

  it('splits calls 90/10 between two versions within ±3% over 2,000 calls', async () => {
    await api('POST', '/api/v1/services', { name: 'split', version: version() });
    await api('POST', '/api/v1/services/split/versions', version({ modelVersion: 'v2' }));
    await api('PUT', '/api/v1/services/split/weights', {
      weights: [
        { version: 1, weight: 90 },
        { version: 2, weight: 10 },
      ],
    });
    await eventually(
      async () => {
        const s = await status('split');
        return s.status === 'Running' && s.versions.every((v) => v.readyInstances === 1);
      },
      60_000,
      'both versions ready',
    );
    const answers: ('v1' | 'v2' | number)[] = [];
    await load(2000, 8, async () => {
      answers.push(await served('split'));
      return 200;
    });
    expect(answers.filter((a) => typeof a === 'number')).toEqual([]);
    const share = answers.filter((a) => a === 'v2').length / answers.length;
    expect(Math.abs(share - 0.1)).toBeLessThanOrEqual(0.03);
    await api('DELETE', '/api/v1/services/split');
  });

  it('shows Failed with the reason when the model cannot load', async () => {
    const bad = multipart([
      { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
      { name: 'f', filename: 'model.onnx', data: Buffer.from('not an onnx model') },
    ]);
    await fetch(`${p.url}/api/v1/models/broken/versions`, { method: 'POST', headers: bad.headers, body: bad.payload });
    await eventually(async () => (await api<{ status: string }>('GET', '/api/v1/models/broken/versions/v1')).status === 'ready');
    await api('POST', '/api/v1/services', { name: 'broken', version: version({ model: 'broken' }) });
    const failed = await eventually(
      async () => {
        const s = await status('broken');
        return s.status === 'Failed' ? s : null;
      },
      60_000,
      'Failed',
    );
    expect(failed.reason).toMatch(/load/i);
    expect(failed.versions[0]!.reason).toMatch(/load/i);
    const events = (await api<{ items: { type: string; message: string }[] }>('GET', '/api/v1/services/broken/events')).items;
    expect(events.some((e) => e.type === 'Warning' && /load/i.test(e.message))).toBe(true);
    await api('DELETE', '/api/v1/services/broken');
  });

  it('stops (calls get 503) and resumes to the previous instance count', async () => {
    await api('POST', '/api/v1/services/relu/actions', { action: 'stop' });
    await eventually(async () => (await status('relu')).status === 'Stopped', 30_000, 'Stopped');
    const r = await call(`${p.url}/v2/models/relu/infer`, { body: tinyInferBody() });
    expect([r.status, r.json().code]).toEqual([503, 'UNAVAILABLE']);
    await api('POST', '/api/v1/services/relu/actions', { action: 'resume' });
    await running('relu', 2);
  });

  it('scales from zero on demand without failing the call, and back to zero when idle', async () => {
    await api('POST', '/api/v1/services', {
      name: 'lazy',
      version: version({ scaling: { mode: 'auto', minInstances: 0, maxInstances: 2, metric: 'concurrency', target: 4, idleToZeroMs: 1500 } }),
    });
    await eventually(async () => (await status('lazy')).status === 'Running', 30_000, 'lazy Running at zero');
    expect(p.backend.list().filter((i) => i.serviceName === 'lazy')).toEqual([]);
    const statuses = await Promise.all(Array.from({ length: 4 }, () => infer('lazy')));
    expect(statuses).toEqual([200, 200, 200, 200]);
    await eventually(() => p.backend.list().filter((i) => i.serviceName === 'lazy').length === 0, 30_000, 'back to zero when idle');
  });

  it('requires a token when auth is on; the model is not reached without one', async () => {
    await api('POST', '/api/v1/services', { name: 'locked', auth: true, version: version() });
    await running('locked', 1);
    const none = await call(`${p.url}/v2/models/locked/infer`, { body: tinyInferBody() });
    expect([none.status, none.json().code]).toEqual([401, 'UNAUTHENTICATED']);
    const tok = await api<{ token: string }>('POST', '/api/v1/services/locked/tokens', { name: 'ci' });
    const ok = await call(`${p.url}/v2/models/locked/infer`, { body: tinyInferBody(), headers: { authorization: `Bearer ${tok.token}` } });
    expect(ok.status).toBe(200);
    const access = (await api<{ items: { line: string; stream: string }[] }>('GET', '/api/v1/services/locked/logs?keyword=infer')).items;
    expect(access.map((l) => l.line)).toEqual(expect.arrayContaining([expect.stringMatching(/POST .*infer 401/), expect.stringMatching(/POST .*infer 200/)]));
    expect(JSON.stringify(access)).not.toContain(tok.token);
  });

  it('shows the mean batch size in its metrics: above 1 when batching under concurrent calls', async () => {
    type Points = { points: { qps: number; batchSize: number | null }[] };
    await api('POST', '/api/v1/services', { name: 'batched', version: version({ batching: { maxBatchSize: 16, maxQueueDelayMs: 20 } }) });
    await running('batched', 1);
    let stop = false;
    const loop = load(
      1_000_000,
      16,
      () => infer('batched'),
      () => stop,
    );
    try {
      const pts = await eventually(
        async () => {
          const m = await api<Points>('GET', '/api/v1/services/batched/metrics?window=1m');
          return m.points.some((x) => (x.batchSize ?? 0) > 1) ? m.points : null;
        },
        30_000,
        'a 10 s point with a mean batch size above 1',
      );
      expect(Math.max(...pts.map((x) => x.batchSize ?? 0))).toBeLessThanOrEqual(16);
    } finally {
      stop = true;
    }
    expect((await loop).every((s) => s === 200)).toBe(true);
    // one caller at a time: nothing to batch together, one row per batch (in the next 10 s bucket)
    await eventually(
      async () => {
        expect(await infer('batched')).toBe(200);
        const m = await api<Points>('GET', '/api/v1/services/batched/metrics?window=10s');
        return m.points.at(-1)?.batchSize === 1;
      },
      30_000,
      'batch size 1 with one caller',
    );
  });
});
