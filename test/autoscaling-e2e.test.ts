/**
 * Autoscaling end to end on the local backend: the real platform (in this process, on
 * loopback), real `modeldock instance` children running a Node handler, calls through the
 * gateway. Load lifts an auto-scaled version (min 1, max 3) above one instance; once the
 * load is gone it comes back to one; no call fails on the way. Once on `concurrency`
 * (a handler that sleeps 50 ms per call), once on `cpu-util` (one that burns CPU).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import type { Service } from '../src/contracts/services.js';
import { call, load } from './gateway-harness.js';
import { eventually } from './support/platform.js';
import { multipart } from './support/multipart.js';

let p: Platform;

const handler = (predict: string) => `export default class Model {
  async load() {}
  async preprocess(body) { return body; }
  async predict() { ${predict} return { ok: 1 }; }
  async postprocess(out) { return out; }
}
`;
const SLEEPY = handler('await new Promise((r) => setTimeout(r, 50));');
const BURNER = handler('const end = Date.now() + 10; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);');

const api = async <T = Service>(method: 'GET' | 'POST' | 'DELETE', url: string, body?: object): Promise<T> => {
  const res = await fetch(`${p.url}${url}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await res.json()) as T;
};

async function importHandler(model: string, source: string): Promise<void> {
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime: 'node20-handler', createModel: true }) },
    { name: 'f', filename: 'model_service.mjs', data: Buffer.from(source) },
  ]);
  await fetch(`${p.url}/api/v1/models/${model}/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
  await eventually(async () => (await api<{ status: string }>('GET', `/api/v1/models/${model}/versions/v1`)).status === 'ready', 30_000, `${model} imported`);
}

const ready = async (name: string) => {
  const s = await api('GET', `/api/v1/services/${name}`);
  if (s.status === 'Failed') throw new Error(`service failed: ${s.reason}`);
  return s.versions[0]!.readyInstances;
};
/** instances of the service the backend still runs (draining ones included) */
const alive = (name: string) => p.backend.list().filter((i) => i.serviceName === name).length;

const predict = (name: string) => call(`${p.url}/${name}/v1/models/m:predict`, { body: '{}' }).then((r) => r.status);

/** `workers` callers back to back until stop() is called; the answer: every status seen. */
function drive(name: string, workers: number): { stop: () => void; statuses: Promise<number[]> } {
  let stopped = false;
  return {
    stop: () => (stopped = true),
    statuses: load(
      Number.MAX_SAFE_INTEGER,
      workers,
      () => predict(name),
      () => stopped,
    ),
  };
}

async function createAuto(name: string, model: string, cpuMillicores: number, scaling: object): Promise<void> {
  const version = {
    model,
    modelVersion: 'v1',
    resources: { cpuMillicores, memoryMiB: 256 },
    scaling: { mode: 'auto', minInstances: 1, maxInstances: 3, scaleDownStabilizationMs: 2_000, ...scaling },
  };
  await api('POST', '/api/v1/services', { name, version });
  await eventually(async () => (await ready(name)) === 1, 60_000, `${name} Running with 1 ready`);
}

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-autoscale-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200 });
  await importHandler('sleepy', SLEEPY);
  await importHandler('burner', BURNER);
});

afterAll(async () => {
  await p?.close();
});

describe('autoscaling on real instances', () => {
  it('concurrency: 4 callers of a 50 ms handler lift it above 1 instance, 1 caller brings it back to 1, no call fails', async () => {
    // target 1.5: 4 callers are ≈4 in flight (→ 3 instances); 1 caller is at most 1 (→ 1)
    await createAuto('sleepy', 'sleepy', 500, { metric: 'concurrency', target: 1.5 });
    const heavy = drive('sleepy', 4);
    const started = Date.now();
    // the 10 s window's average passes 1.5 after ≈4 s of this load; an instance starts in ~1 s
    await eventually(async () => (await ready('sleepy')) > 1, 30_000, 'sleepy above 1 ready instance');
    const upMs = Date.now() - started;
    const light = drive('sleepy', 1);
    heavy.stop();
    const heavyStatuses = await heavy.statuses;
    // the heavy calls leave the window over 10 s, then 2 s of stabilization, then a drain
    await eventually(async () => (await ready('sleepy')) === 1 && alive('sleepy') === 1, 40_000, 'sleepy back to 1 instance');
    light.stop();
    const lightStatuses = await light.statuses;
    expect(upMs).toBeLessThan(30_000);
    expect(heavyStatuses.length).toBeGreaterThan(50);
    expect(lightStatuses.length).toBeGreaterThan(10);
    expect([...heavyStatuses, ...lightStatuses].filter((s) => s !== 200)).toEqual([]);
    await api('DELETE', '/api/v1/services/sleepy');
    await eventually(() => alive('sleepy') === 0, 30_000, 'sleepy gone');
  }, 120_000);

  it('cpu-util: callers of a CPU-bound handler lift it above 1 instance, idle brings it back to 1, no call fails', async () => {
    // 0.25 core asked for, target 50 %: 2 callers of a 10 ms busy loop use far more
    await createAuto('burner', 'burner', 250, { metric: 'cpu-util', target: 50 });
    const heavy = drive('burner', 2);
    await eventually(async () => (await ready('burner')) > 1, 30_000, 'burner above 1 ready instance');
    heavy.stop();
    const statuses = await heavy.statuses;
    // idle: CPU falls at the next probe, then 2 s of stabilization
    await eventually(async () => (await ready('burner')) === 1 && alive('burner') === 1, 40_000, 'burner back to 1 instance');
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await predict('burner')).toBe(200);
  }, 120_000);
});
