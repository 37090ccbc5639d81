/**
 * Shadow traffic end to end (docs/shadow.md): a real platform, real `modeldock instance`
 * processes of four Node handler versions — the primary, a twin answering the same scores
 * within float noise, one answering differently, one that fails or sleeps when asked to —
 * and calls through the gateway. The caller always gets the primary's answer; the
 * shadow's agreement, errors and latency show in GET service (`shadow.stats`) and in
 * GET /metrics. Unit tests: src/gateway/shadow-compare.test.ts, shadow-series, shadow-spec;
 * the gateway on its own: test/gateway-shadow.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import type { Service, ShadowSpec, ShadowStats } from '../src/contracts/services.js';
import { call } from './gateway-harness.js';
import { eventually } from './support/platform.js';
import { multipart } from './support/multipart.js';

let p: Platform;

const api = async <T = Service>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: object): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${p.url}${url}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
};

const SCORES = '[0.1, 0.25, 0.65]';
/** 1: the primary; 2: the same within float noise; 3: another answer; 4: fails or sleeps when the body says so. */
const handlers: Record<number, string> = {
  1: `return { served: 1, scores: ${SCORES} };`,
  2: 'return { scores: [0.1000001, 0.2500001, 0.6499999], served: 1 };',
  3: `return { served: 3, scores: ${SCORES} };`,
  4: `if (input.sleepMs) await new Promise((r) => setTimeout(r, input.sleepMs));
    if (input.fail) throw new Error('the shadow broke');
    return { served: 1, scores: ${SCORES} };`,
};
const handler = (n: number) => `export default class Model {
  async load() {}
  async preprocess(body) { return body; }
  async predict(input) {
    ${handlers[n]}
  }
  async postprocess(out) { return out; }
}
`;
const version = (modelVersion: string) => ({
  model: 'shadowed',
  modelVersion,
  resources: { cpuMillicores: 500, memoryMiB: 256 },
  scaling: { mode: 'manual', instances: 1 },
});

const predict = (body: object = { x: 1 }) => call(`${p.url}/sh/v1/models/m:predict`, { body: JSON.stringify(body) });
const stats = async (): Promise<ShadowStats> => (await api('GET', '/api/v1/services/sh')).body.shadow!.stats;
/** PATCHes the shadow and waits until the gateway routes with it. */
const setShadow = async (shadow: Partial<ShadowSpec> | null): Promise<Service> => {
  const r = await api('PATCH', '/api/v1/services/sh', { shadow });
  expect(r.status).toBe(200);
  const want = r.body.shadow === undefined ? undefined : { version: r.body.shadow.version, percent: r.body.shadow.percent };
  await eventually(
    () => JSON.stringify(p.directory.route('sh')?.shadow) === JSON.stringify(want),
    10_000,
    `the gateway to route with shadow ${JSON.stringify(want)}`,
  );
  return r.body;
};

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-shadow-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200 });
  for (const n of [1, 2, 3, 4]) {
    const mp = multipart([
      { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime: 'node20-handler', createModel: n === 1 }) },
      { name: 'f', filename: 'model_service.mjs', data: Buffer.from(handler(n)) },
    ]);
    const r = await fetch(`${p.url}/api/v1/models/shadowed/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
    expect(r.status).toBe(202);
    await eventually(async () => (await api<{ status: string }>('GET', `/api/v1/models/shadowed/versions/v${n}`)).body.status === 'ready');
  }
  expect((await api('POST', '/api/v1/services', { name: 'sh', version: version('v1') })).status).toBe(202);
  for (const n of [2, 3, 4]) expect((await api('POST', '/api/v1/services/sh/versions', version(`v${n}`))).status).toBe(202);
  await eventually(
    async () => {
      const s = (await api('GET', '/api/v1/services/sh')).body;
      if (s.status === 'Failed') throw new Error(`service failed: ${s.reason}`);
      return s.status === 'Running' && s.versions.every((v) => v.readyInstances === 1) ? s : null;
    },
    90_000,
    'four ready versions',
  );
}, 150_000);

afterAll(async () => {
  await p?.close();
});

describe('shadow traffic on real instances', () => {
  it('refuses a shadow version the service lacks, the one taking all traffic, and no version', async () => {
    const cases: [object, number, string][] = [
      [{ version: 9 }, 404, 'SERVICE_VERSION_NOT_FOUND'],
      [{ version: 1 }, 400, 'INVALID_SHADOW'],
      [{ percent: 50 }, 400, 'INVALID_ARGUMENT'],
      [{ version: 2, percent: 101 }, 400, 'INVALID_ARGUMENT'],
    ];
    for (const [shadow, status, code] of cases) {
      const r = await api<{ error: { code: string } }>('PATCH', '/api/v1/services/sh', { shadow });
      expect([JSON.stringify(shadow), r.status, r.body.error.code]).toEqual([JSON.stringify(shadow), status, code]);
    }
    expect((await api('GET', '/api/v1/services/sh')).body.shadow).toBeUndefined();
  });

  it('the caller gets the primary answer; a shadow answering the same within float noise counts as matches', async () => {
    const baseline = await predict();
    expect(baseline.json()).toEqual({ served: 1, scores: [0.1, 0.25, 0.65] });
    const s = await setShadow({ version: 2 });
    expect(s.shadow).toMatchObject({ version: 2, percent: 100, stats: { mirrored: 0, compared: { match: 0 } } });
    for (let i = 0; i < 8; i++) expect((await predict()).text).toBe(baseline.text);
    const st = await eventually(
      async () => {
        const x = await stats();
        return x.compared.match === 8 ? x : null;
      },
      15_000,
      '8 matches',
    );
    expect(st).toMatchObject({
      mirrored: 8,
      inflight: 0,
      skipped: 0,
      dropped: 0,
      errors: { status: 0, timeout: 0, unreachable: 0 },
      compared: { match: 8, mismatch: 0, uncompared: 0 },
    });
    expect(st.latency.samples).toBe(8);
  });

  it('a shadow answering differently counts as mismatches, in GET service and Prometheus', async () => {
    await setShadow({ version: 3 });
    for (let i = 0; i < 6; i++) expect((await predict()).json().served).toBe(1);
    await eventually(async () => (await stats()).compared.mismatch === 6, 15_000, '6 mismatches');
    expect((await stats()).compared.match).toBe(0);
    const metrics = await (await fetch(`${p.url}/metrics`)).text();
    expect(metrics).toContain('modeldock_shadow_calls_total{service="sh",version="3",outcome="mismatch"} 6');
    expect(metrics).toContain('modeldock_shadow_calls_total{service="sh",version="2",outcome="match"} 8');
    expect(metrics).toMatch(/modeldock_shadow_duration_seconds_count\{service="sh",version="3"\} 6/);
  });

  it('honours the percent: 0% copies none, 50% half', async () => {
    await setShadow({ version: 2, percent: 0 });
    for (let i = 0; i < 10; i++) await predict();
    expect((await stats()).mirrored).toBe(8);
    await setShadow({ percent: 50 });
    for (let i = 0; i < 20; i++) await predict();
    await eventually(async () => (await stats()).compared.match === 18, 15_000, '10 more matches');
    expect((await stats()).mirrored).toBe(18);
  });

  it('a shadow that fails or sleeps never changes the primary answer nor makes the caller wait', async () => {
    await setShadow({ version: 2, percent: 100 });
    const baseline = await predict({ fail: true, sleepMs: 0 });
    await setShadow({ version: 4 });
    const failed = await predict({ fail: true, sleepMs: 0 });
    expect([failed.status, failed.text]).toEqual([baseline.status, baseline.text]);
    await eventually(async () => (await stats()).errors.status === 1, 15_000, 'the shadow error counted');
    // the shadow sleeps 5 s: the call has its answer while the copy is still in flight
    const slow = await predict({ sleepMs: 5000 });
    expect([slow.status, slow.text]).toEqual([baseline.status, baseline.text]);
    const during = await stats();
    expect([during.mirrored, during.inflight, during.compared.match]).toEqual([2, 1, 0]);
    const after = await eventually(
      async () => {
        const x = await stats();
        return x.inflight === 0 ? x : null;
      },
      30_000,
      'the sleeping copy to end',
    );
    expect(after.compared.match).toBe(1);
    expect(after.latency.p99Ms).toBeGreaterThanOrEqual(5000);
  });

  it('a shadow with no ready instance is skipped, not woken; removing the shadow version turns it off', async () => {
    expect((await api('POST', '/api/v1/services/sh/actions', { action: 'scale', version: 4, instances: 0 })).status).toBe(202);
    await eventually(() => p.directory.route('sh')?.versions.find((v) => v.seq === 4)?.targets.length === 0, 30_000, 'version 4 without instances');
    expect((await predict()).json().served).toBe(1);
    expect((await stats()).skipped).toBe(1);
    const r = await api('DELETE', '/api/v1/services/sh/versions/4');
    expect([r.status, r.body.shadow]).toEqual([202, undefined]);
    await eventually(() => p.directory.route('sh')?.shadow === undefined, 10_000, 'the route without shadow');
  });
});
