/**
 * The platform process is killed with SIGKILL while a service runs: its instances exit
 * (no orphans), and a new platform on the same data dir brings the service back to
 * Running with the instances, weights and tokens it had.
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
import { instanceProcesses, spawnUp, type UpProcess } from './support/up.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-restart-'));
const children: ChildProcess[] = [];

async function up(): Promise<UpProcess> {
  const p = await spawnUp(dataDir);
  children.push(p.child);
  return p;
}

/** Instance processes serving models out of this data dir. */
const instancePids = (): number[] => instanceProcesses(dataDir).map((i) => i.pid);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const json = async (url: string, method = 'GET', body?: unknown): Promise<Json> =>
  (await fetch(url, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined })).json();

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const pid of instancePids()) process.kill(pid, 'SIGKILL');
});

describe('killing the platform', () => {
  it('leaves no orphan instances, and a restart brings every service back as it was', async () => {
    const first = await up();
    const mp = multipart([
      { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
      { name: 'f', filename: 'model.onnx', data: tinyReluOnnx() },
    ]);
    await fetch(`${first.url}/api/v1/models/tiny/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
    await eventually(async () => (await json(`${first.url}/api/v1/models/tiny/versions/v1`)).status === 'ready', 30_000, 'import');
    const version = { model: 'tiny', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 512 }, scaling: { mode: 'manual', instances: 2 } };
    await json(`${first.url}/api/v1/services`, 'POST', { name: 'keep', auth: true, version });
    await json(`${first.url}/api/v1/services/keep/versions`, 'POST', { ...version, scaling: { mode: 'manual', instances: 1 } });
    await json(`${first.url}/api/v1/services/keep/weights`, 'PUT', {
      weights: [
        { version: 1, weight: 70 },
        { version: 2, weight: 30 },
      ],
    });
    const token = (await json(`${first.url}/api/v1/services/keep/tokens`, 'POST', { name: 't' })).token as string;
    await eventually(
      async () => {
        const s = await json(`${first.url}/api/v1/services/keep`);
        return s.status === 'Running' && s.versions.every((v: { readyInstances: number; desiredInstances: number }) => v.readyInstances === v.desiredInstances);
      },
      60_000,
      'Running',
    );
    expect(instancePids()).toHaveLength(3);

    first.child.kill('SIGKILL');
    await eventually(() => instancePids().length === 0, 30_000, 'every instance to exit with its platform');

    const second = await up();
    const back = await eventually(
      async () => {
        const s = await json(`${second.url}/api/v1/services/keep`);
        return s.status === 'Running' && s.versions.every((v: { readyInstances: number; desiredInstances: number }) => v.readyInstances === v.desiredInstances)
          ? s
          : null;
      },
      60_000,
      'Running again',
    );
    expect(back.versions.map((v: { weight: number; desiredInstances: number }) => [v.weight, v.desiredInstances])).toEqual([
      [70, 2],
      [30, 1],
    ]);
    const r = await call(`${second.url}/v2/models/keep/infer`, { body: tinyInferBody(), headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    expect(instancePids()).toHaveLength(3);
  });
});
