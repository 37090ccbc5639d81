/**
 * A TI-ONE package that brings requirements.txt, end to end and offline: the platform (in
 * this process) installs the package's requirements into an environment of its own over
 * the runtime's Python, from a folder of wheels the test writes (PIP_FIND_LINKS with
 * PIP_NO_INDEX=1, set on the platform as a user would: nothing reaches an index), then a
 * real instance loads model_service.py importing that library and answers. A requirement
 * that does not exist fails the service version with DEPENDENCY_INSTALL_FAILED and pip's
 * reason, and no instance is ever started for it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import type { Service } from '../src/contracts/services.js';
import type { ModelVersion } from '../src/contracts/resources.js';
import { eventually } from './support/platform.js';
import { multipart } from './support/multipart.js';
import { writeWheel } from './support/wheel.js';

const MODEL_SERVICE = `import tiinfer
import tinydep


class Shouter(tiinfer.Model):
    def __init__(self, model_dir):
        super().__init__(model_dir)

    def load(self):
        return True

    def preprocess(self, request):
        return request["text"]

    def predict(self, data):
        return tinydep.shout(data)

    def postprocess(self, result):
        return {"said": result, "by": tinydep.__name__ + " " + tinydep.VERSION}
`;

let p: Platform;
let wheels: string;
const saved: Record<string, string | undefined> = {};

const api = async <T>(method: 'GET' | 'POST', url: string, body?: object): Promise<T> => {
  const res = await fetch(`${p.url}${url}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await res.json()) as T;
};

async function importPackage(model: string, requirements: string, runtime: string): Promise<ModelVersion> {
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime, createModel: true }) },
    { name: 'a', filename: 'model_service.py', data: Buffer.from(MODEL_SERVICE) },
    { name: 'b', filename: 'requirements.txt', data: Buffer.from(requirements) },
  ]);
  const res = await fetch(`${p.url}/api/v1/models/${model}/versions`, { method: 'POST', headers: mp.headers, body: mp.payload });
  expect(res.status).toBe(202);
  return eventually(
    async () => {
      const v = await api<ModelVersion>('GET', `/api/v1/models/${model}/versions/v1`);
      return v.status === 'ready' ? v : null;
    },
    30_000,
    `${model} v1 ready`,
  );
}

const deploy = (name: string, model: string) =>
  api<Service>('POST', '/api/v1/services', {
    name,
    billingMode: 'postpaid',
    version: { model, modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 1024 }, scaling: { mode: 'manual', instances: 2 } },
  });

type Event = { type: string; reason: string; message: string };
const events = async (name: string) => (await api<{ items: Event[] }>('GET', `/api/v1/services/${name}/events?limit=100`)).items;

beforeAll(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-deps-'));
  wheels = path.join(tmp, 'wheels');
  await writeWheel(wheels, 'tinydep', '0.2.0', { 'tinydep/__init__.py': "VERSION = '0.2.0'\n\n\ndef shout(s):\n    return s.upper() + '!'\n" });
  // pip's own variables, set on the platform's environment
  const pip = { PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels, PIP_NO_CACHE_DIR: '1' };
  for (const [k, v] of Object.entries(pip)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  p = await startPlatform(loadConfig({ env: {}, overrides: { dataDir: path.join(tmp, 'data'), port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200 });
});

afterAll(async () => {
  await p?.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('a package with requirements.txt', () => {
  it('gets its requirements installed, once, and its model answers through real instances', async () => {
    const v = await importPackage('shouter', 'numpy\ntorch==1.9.0\ntinydep==0.2.0\n', 'torch1.9.0-py38-cu111');
    // the TI-ONE runtime name is kept and mapped onto the torch runtime
    expect([v.runtime, v.runtimeRequested]).toEqual(['torch1.13-py311-cpu', 'torch1.9.0-py38-cu111']);
    expect(v.runtimeNote).toMatch(/runs here on torch1\.13-py311-cpu.*CUDA is not used/);
    await deploy('shouter', 'shouter');
    const s = await eventually(
      async () => {
        const s = await api<Service>('GET', '/api/v1/services/shouter');
        if (s.status === 'Failed') throw new Error(`failed: ${s.reason}`);
        return s.status === 'Running' && s.versions[0]!.readyInstances === 2 ? s : null;
      },
      90_000,
      'shouter Running with 2 ready',
    );
    expect(s.status).toBe('Running');
    const res = await fetch(`${p.url}/shouter/v1/models/m:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
    });
    expect([res.status, await res.json()]).toEqual([200, { said: 'HELLO!', by: 'tinydep 0.2.0' }]);

    const ev = await events('shouter');
    const reasons = ev.map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['InstallingDependencies', 'DependenciesInstalled', 'RuntimeMapped']));
    expect(ev.find((e) => e.reason === 'DependenciesInstalled')!.message).toMatch(/^installed tinydep==0\.2\.0 in /);
    expect(ev.find((e) => e.reason === 'RuntimeMapped')!.type).toBe('Warning');
    // two instances, one environment: built once, into the platform's data dir
    const envDirs = fs.readdirSync(path.join(p.config.dataDir, 'python-envs'));
    expect(envDirs).toHaveLength(1);
    const logs = await api<{ items: { instanceId?: string; line: string }[] }>('GET', '/api/v1/services/shouter/logs?limit=1000');
    const pipLines = logs.items.filter((l) => l.instanceId === 'dependencies').map((l) => l.line);
    expect(pipLines.join('\n')).toMatch(/Successfully installed tinydep-0\.2\.0/);
    // one build, and each of its lines once in the service's logs
    expect(pipLines.filter((l) => /^installing tinydep/.test(l))).toHaveLength(1);
    expect(pipLines.filter((l) => /Successfully installed/.test(l))).toHaveLength(1);
  });

  it("fails the version with DEPENDENCY_INSTALL_FAILED and pip's reason for a requirement the index lacks, starting no instance; a change retries", async () => {
    await importPackage('broken', 'tinydep\nno-such-package-anywhere==9.9\n', 'torch1.13-py311-cpu');
    await deploy('broken', 'broken');
    const s = await eventually(
      async () => {
        const s = await api<Service>('GET', '/api/v1/services/broken');
        return s.status === 'Failed' ? s : null;
      },
      60_000,
      'broken Failed',
    );
    expect(s.reason).toMatch(/^DEPENDENCY_INSTALL_FAILED: pip install exited with code 1:/);
    expect(s.reason).toMatch(/No matching distribution found for no-such-package-anywhere==9\.9/);
    const ev = await events('broken');
    expect(ev.find((e) => e.reason === 'DependencyInstallFailed')).toMatchObject({ type: 'Warning' });
    // never a crash-looping instance: none was started
    expect(ev.some((e) => e.reason === 'Scheduled' || e.reason === 'Crashed')).toBe(false);
    const inst = await api<{ items: unknown[] }>('GET', '/api/v1/services/broken/instances');
    expect(inst.items).toEqual([]);

    // once the index has it, changing the service version (here: scaling) builds again
    await writeWheel(wheels, 'no_such_package_anywhere', '9.9', { 'no_such_package_anywhere/__init__.py': '' });
    await api('POST', '/api/v1/services/broken/actions', { action: 'scale', instances: 1 });
    await eventually(
      async () => {
        const s = await api<Service>('GET', '/api/v1/services/broken');
        return s.status === 'Running' && s.versions[0]!.readyInstances === 1;
      },
      60_000,
      'broken Running after the retry',
    );
    const res = await fetch(`${p.url}/broken/v1/models/m:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'again' }),
    });
    expect(await res.json()).toEqual({ said: 'AGAIN!', by: 'tinydep 0.2.0' });
  });
});
