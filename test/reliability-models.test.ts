/**
 * Misbehaving models (issue #8), each next to a healthy service under a bounded load loop
 * that must not see a single failed call: a load() that raises, a load() that hangs past
 * the startup timeout, a predict that leaks memory past the instance's limit, and a
 * Python worker that dies inside a serving instance. Each ends Failed, or restarted, with
 * the reason in the status or the events, and leaves no process behind.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, load } from './gateway-harness.js';
import { tinyInferBody } from './gateway-model.js';
import { packageWith, startInstance } from './instance-harness.js';
import { eventually } from './support/platform.js';
import { api, importFiles, platformWithTiny, processesMentioning, running, type Json, type ReliabilityPlatform } from './support/reliability.js';

let rp: ReliabilityPlatform;
let steadyStop = false;
let steady: Promise<number[]>;

const python = (code: string) => ({ 'model_service.py': `import tiinfer, time, os\n${code}` });
const pySpec = { format: 'custom', runtime: 'torch1.13-py311-cpu' };
const pyVersion = (model: string, extra: object = {}) => ({
  model,
  modelVersion: 'v1',
  resources: { cpuMillicores: 1000, memoryMiB: 1024 },
  scaling: { mode: 'manual', instances: 1 },
  probes: { readiness: { periodMs: 200 } },
  ...extra,
});

const failedWith = (name: string, pattern: RegExp) =>
  eventually(
    async () => {
      const s = (await api(rp.base, 'GET', `/api/v1/services/${name}`)).body;
      return s.status === 'Failed' && pattern.test(s.reason) ? s : null;
    },
    60_000,
    `${name} Failed with ${pattern}`,
  );

const events = async (name: string): Promise<{ reason: string; message: string }[]> =>
  (await api(rp.base, 'GET', `/api/v1/services/${name}/events`)).body.items;

/** The folder a model version's files live in (the Python workers' working directory). */
const modelDirOf = (model: string) => path.join(rp.dataDir, 'blobs', 'models', model);

beforeAll(async () => {
  rp = await platformWithTiny();
  await api(rp.base, 'POST', '/api/v1/services', {
    name: 'steady',
    version: { model: 'tiny', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 512 }, scaling: { mode: 'manual', instances: 2 } },
  });
  await running(rp.base, 'steady');
  steady = load(
    10_000_000,
    2,
    async () => (await call(`${rp.base}/v2/models/steady/infer`, { body: tinyInferBody() })).status,
    () => steadyStop,
  );
});

afterAll(async () => {
  steadyStop = true;
  await steady;
  await rp?.close();
});

describe('misbehaving models beside a healthy service', () => {
  it('a load() that raises: Failed with the exception', async () => {
    await importFiles(
      rp.base,
      'raises',
      python('class M(tiinfer.Model):\n  def load(self):\n    raise RuntimeError("weights are corrupt: 3 of 7 shards")\n'),
      pySpec,
    );
    await api(rp.base, 'POST', '/api/v1/services', { name: 'raises', version: pyVersion('raises') });
    const s = await failedWith('raises', /weights are corrupt: 3 of 7 shards/);
    expect(s.versions[0].status).toBe('Failed');
  });

  it('a load() that hangs past the startup timeout: Failed saying so, and no Python process left behind', async () => {
    await importFiles(rp.base, 'hangs', python('class M(tiinfer.Model):\n  def load(self):\n    time.sleep(3600)\n'), pySpec);
    await api(rp.base, 'POST', '/api/v1/services', { name: 'hangs', version: pyVersion('hangs', { startupTimeoutMs: 1500 }) });
    await failedWith('hangs', /did not become ready within 1500 ms/);
    await eventually(() => processesMentioning(modelDirOf('hangs')).length === 0, 10_000, "no process working in the hung model's folder");
  });

  it('a predict that leaks memory past the limit: the instance is OOMKilled and restarted, saying so; the caller gets a clear 5xx', async () => {
    const leak =
      'held = []\nclass M(tiinfer.Model):\n  def load(self):\n    return True\n  def predict(self, data):\n    held.append(b"\\x01" * (96 << 20))\n    time.sleep(0.5)\n    return {"held_mib": 96 * len(held)}\n';
    await importFiles(rp.base, 'leaks', python(leak), pySpec);
    await api(rp.base, 'POST', '/api/v1/services', { name: 'leaks', version: pyVersion('leaks', { resources: { cpuMillicores: 1000, memoryMiB: 400 } }) });
    await running(rp.base, 'leaks');
    const first = rp.p.backend.list().find((i) => i.serviceName === 'leaks')!;
    const statuses: number[] = [];
    await eventually(
      async () => {
        const r = await call(`${rp.base}/leaks/v1/models/m:predict`, { body: '{}' });
        statuses.push(r.status);
        if (r.status >= 500) expect(r.json().error.code).toMatch(/^(UNAVAILABLE|MODEL_ERROR)$/);
        return rp.p.backend.list().some((i) => i.instanceId === first.instanceId && i.restarts > 0);
      },
      60_000,
      'the leaking instance to be killed and restarted',
    );
    expect(statuses.every((s) => s === 200 || s === 503 || s === 500)).toBe(true);
    const crashed = await eventually(
      async () => (await events('leaks')).find((e) => e.reason === 'Crashed' && /OOMKilled/.test(e.message)),
      10_000,
      'an OOMKilled event',
    );
    expect(crashed.message).toMatch(/over the limit of 400 MiB/);
    await running(rp.base, 'leaks');
    expect((await call(`${rp.base}/leaks/v1/models/m:predict`, { body: '{}' })).status).toBe(200);
  });

  it('a Python worker that dies inside an instance: the call it ran gets a clear 5xx, the worker is restarted, later calls succeed', async () => {
    const dies =
      'class M(tiinfer.Model):\n  def load(self):\n    return True\n  def predict(self, data):\n    if data.get("die"):\n      os._exit(9)\n    return {"pid": os.getpid()}\n';
    await importFiles(rp.base, 'dies', python(dies), pySpec);
    await api(rp.base, 'POST', '/api/v1/services', { name: 'dies', version: pyVersion('dies') });
    await running(rp.base, 'dies');
    const before = (await call(`${rp.base}/dies/v1/models/m:predict`, { body: '{}' })).json().pid as number;
    const died = await call(`${rp.base}/dies/v1/models/m:predict`, { body: '{"die":true}' });
    expect(died.status).toBe(500);
    expect(died.json().error).toMatchObject({ code: 'MODEL_ERROR' });
    expect(died.json().error.message).toMatch(/Python worker .* restarted/);
    const after = await eventually(
      async () => {
        const r = await call(`${rp.base}/dies/v1/models/m:predict`, { body: '{}' });
        return r.status === 200 ? (r.json().pid as number) : null;
      },
      20_000,
      'a call answered by the restarted worker',
    );
    expect(after).not.toBe(before);
    // the instance itself did not restart: the worker was replaced inside it
    expect(rp.p.backend.list().find((i) => i.serviceName === 'dies')!.restarts).toBe(0);
  });

  it('the healthy service answered every call meanwhile', async () => {
    steadyStop = true;
    const statuses = await steady;
    expect(statuses.length).toBeGreaterThan(100);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const s: Json = (await api(rp.base, 'GET', '/api/v1/services/steady')).body;
    expect(s.status).toBe('Running');
  });
});

describe('an instance killed under its Python worker', () => {
  it('takes the worker with it even while the worker is busy in user code (no orphan)', async () => {
    const dir = packageWith(python('class M(tiinfer.Model):\n  def load(self):\n    return True\n  def predict(self, data):\n    time.sleep(3600)\n'));
    const inst = await startInstance(['--model-dir', dir, '--runtime', 'torch1.13-py311-cpu', '--model-name', 'm']);
    const busy = call(`${inst.url}/v1/models/m:predict`, { body: '{}' }).catch(() => undefined);
    const worker = await eventually(() => processesMentioning(dir).find((p) => p.cmd.includes('modeldock_worker')), 10_000, 'the worker');
    await new Promise((r) => setTimeout(r, 200)); // the call reaches the worker's sleep
    inst.child.kill('SIGKILL'); // only the instance: nothing kills the tree for it
    await inst.exited;
    await busy;
    await eventually(() => !processesMentioning(dir).some((p) => p.pid === worker.pid), 5_000, `worker ${worker.pid} to exit with its instance`);
  });
});
