/**
 * Changing a running service, end to end on the local backend: real platform, real
 * `modeldock instance` processes of two Node handler versions that answer differently,
 * calls through the gateway (TI-ONE predict and OIP v2 infer).
 * - x-modeldock-version routes a call to one version, bypassing the weights;
 * - removing a version under load fails no call, and its instances stop;
 * - PATCH auth on/off takes effect at the gateway.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import type { Instance, Service } from '../src/contracts/services.js';
import { call, load } from './gateway-harness.js';
import { eventually } from './support/platform.js';
import { multipart } from './support/multipart.js';

let p: Platform;

const api = async <T = Service>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: object): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${p.url}${url}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
};

/** A Node handler that answers which model version it is. */
const handler = (n: number) => `export default class Model {
  async load() {}
  async preprocess(body) { return body; }
  async predict(input) { return { served: ${n} }; }
  async postprocess(out) { return out; }
}
`;

const version = (modelVersion: string, extra: object = {}) => ({
  model: 'which',
  modelVersion,
  resources: { cpuMillicores: 500, memoryMiB: 256 },
  scaling: { mode: 'manual', instances: 1 },
  ...extra,
});

const readyCount = (name: string, n: number) =>
  eventually(
    async () => {
      const s = (await api('GET', `/api/v1/services/${name}`)).body;
      if (s.status === 'Failed') throw new Error(`service failed: ${s.reason}`);
      return s.versions.reduce((a, v) => a + v.readyInstances, 0) === n && s.status === 'Running' ? s : null;
    },
    60_000,
    `${name} with ${n} ready`,
  );

const predict = (name: string, headers: Record<string, string> = {}) => call(`${p.url}/${name}/v1/models/m:predict`, { body: '{"x":1}', headers });
const infer = (name: string, headers: Record<string, string> = {}, at = '') =>
  call(`${p.url}/v2/models/${name}${at}/infer`, { body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }] }), headers });
/** Which model version answered a predict call (its status when it failed). */
const served = async (name: string, headers: Record<string, string> = {}): Promise<number | string> => {
  const r = await predict(name, headers);
  return r.status === 200 ? (r.json() as { served: number }).served : `status ${r.status}`;
};

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-versions-'));
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200 });
  for (const n of [1, 2]) {
    const mp = multipart([
      { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime: 'node20-handler', createModel: n === 1 }) },
      { name: 'f', filename: 'model_service.mjs', data: Buffer.from(handler(n)) },
    ]);
    const r = await fetch(`${p.url}/api/v1/models/which/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
    expect(r.status).toBe(202);
    await eventually(async () => (await api<{ status: string }>('GET', `/api/v1/models/which/versions/v${n}`)).body.status === 'ready');
  }
});

afterAll(async () => {
  await p?.close();
});

describe('changing a running service', () => {
  it('x-modeldock-version sends a call to that version, bypassing the weights; an unknown one is 404', async () => {
    expect((await api('POST', '/api/v1/services', { name: 'hdr', version: version('v1') })).status).toBe(202);
    expect((await api('POST', '/api/v1/services/hdr/versions', version('v2'))).body.versions.map((v) => v.weight)).toEqual([100, 0]);
    await readyCount('hdr', 2);
    // by weight: only version 1
    for (let i = 0; i < 4; i++) expect(await served('hdr')).toBe(1);
    // by header: the version asked for, however it is written
    for (const h of ['2', 'v2', 'V2', ' 2 ']) expect(await served('hdr', { 'x-modeldock-version': h })).toBe(2);
    expect(await served('hdr', { 'x-modeldock-version': '1' })).toBe(1);
    // KServe v1 at the root too
    const kserve = await call(`${p.url}/v1/models/hdr:predict`, { body: '{"x":1}', headers: { 'x-modeldock-version': '2' } });
    expect([kserve.status, kserve.json()]).toEqual([200, { served: 2 }]);
    // OIP v2 infer too; a version in the path wins over the header
    const v2 = await infer('hdr', { 'x-modeldock-version': '2' });
    expect([v2.status, v2.json().outputs[0].data[0]]).toEqual([200, 2]);
    expect((await infer('hdr')).json().outputs[0].data[0]).toBe(1);
    expect((await infer('hdr', { 'x-modeldock-version': '2' }, '/versions/1')).json().outputs[0].data[0]).toBe(1);
    // an unknown or unusable version: 404 with a stable code, on both protocols
    for (const h of ['3', 'abc', '0', 'v']) {
      const r = await predict('hdr', { 'x-modeldock-version': h });
      expect([h, r.status, r.json().error.code, r.headers['x-modeldock-error-code']]).toEqual([
        h,
        404,
        'SERVICE_VERSION_NOT_FOUND',
        'SERVICE_VERSION_NOT_FOUND',
      ]);
    }
    const oip = await infer('hdr', { 'x-modeldock-version': '7' });
    expect([oip.status, oip.headers['x-modeldock-error-code']]).toEqual([404, 'SERVICE_VERSION_NOT_FOUND']);
    expect(oip.json().error).toMatch(/no version 7/);
    const info = (await api<{ versionRouting: unknown }>('GET', '/api/v1/services/hdr/call-info')).body;
    expect(info.versionRouting).toEqual({ header: 'x-modeldock-version', versions: [1, 2] });
  });

  it('removes a version under load without a failed call; its instances stop and the rest take the traffic', async () => {
    await api('PUT', '/api/v1/services/hdr/weights', {
      weights: [
        { version: 1, weight: 50 },
        { version: 2, weight: 50 },
      ],
    });
    await eventually(
      async () => {
        const seen = new Set<number | string>();
        for (let i = 0; i < 6; i++) seen.add(await served('hdr'));
        return seen.has(1) && seen.has(2);
      },
      10_000,
      'both versions to serve',
    );
    const v1 = (await api('GET', '/api/v1/services/hdr')).body.versions.find((v) => v.seq === 1)!.id;
    let stop = false;
    const answers: (number | string)[] = [];
    const loop = load(
      1_000_000,
      4,
      async () => {
        const s = await served('hdr');
        answers.push(s);
        return typeof s === 'number' ? 200 : 0;
      },
      () => stop,
    );
    try {
      await eventually(() => answers.length > 20, 10_000, 'calls under way');
      const r = await api('DELETE', '/api/v1/services/hdr/versions/1');
      expect([r.status, r.body.versions.map((v) => [v.seq, v.weight])]).toEqual([202, [[2, 50]]]);
      await eventually(
        async () => !(await api<{ items: Instance[] }>('GET', '/api/v1/services/hdr/instances')).body.items.some((i) => i.versionId === v1),
        30_000,
        "version 1's instances to stop",
      );
      const after = answers.length;
      await eventually(() => answers.length > after + 20, 10_000, 'calls after the removal');
      expect(answers.slice(after).every((a) => a === 2)).toBe(true);
    } finally {
      stop = true;
    }
    const statuses = await loop;
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses.length).toBeGreaterThan(40);
    expect((await predict('hdr', { 'x-modeldock-version': '1' })).json().error.code).toBe('SERVICE_VERSION_NOT_FOUND');
  });

  it('PATCH turns auth on and off at the gateway, and keeps serving', async () => {
    const on = await api('PATCH', '/api/v1/services/hdr', { auth: true, tags: { stage: 'test' } });
    expect([on.status, on.body.auth, on.body.tags]).toEqual([200, true, { stage: 'test' }]);
    await eventually(async () => (await predict('hdr')).status === 401, 10_000, 'calls without a token refused');
    const token = (await api<{ token: string }>('POST', '/api/v1/services/hdr/tokens', { name: 't' })).body.token;
    expect(await served('hdr', { authorization: `Bearer ${token}` })).toBe(2);
    expect((await api('PATCH', '/api/v1/services/hdr', { auth: false })).body.auth).toBe(false);
    await eventually(async () => (await predict('hdr')).status === 200, 10_000, 'calls without a token served again');
  });
});
