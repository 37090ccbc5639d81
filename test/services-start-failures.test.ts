/**
 * A service whose instances cannot be started shows it on the service — a state with a
 * reason and a Warning event — never only in a log line, and recovers once its spec is
 * fixed. The faulty specs here are ones the API now refuses, so they are written into the
 * store directly, as a build that accepted them (or a restored backup) left them; the
 * platform is then restarted on that store, and spawns real instance processes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tinyReluOnnx } from './gateway-model.js';
import { multipart } from './support/multipart.js';
import { eventually, testPlatform, type TestPlatform } from './support/platform.js';

let p: TestPlatform | undefined;
afterEach(async () => {
  await p?.close();
  p = undefined;
});

type Event = { type: string; reason: string; object: string; message: string };
const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => p!.app.inject({ method, url, ...(payload ? { payload } : {}) });
const version = (extra: object = {}) => ({
  model: 'tiny',
  modelVersion: 'v1',
  resources: { cpuMillicores: 1000, memoryMiB: 512 },
  scaling: { mode: 'manual', instances: 0 },
  ...extra,
});
const events = async (name: string): Promise<Event[]> => (await call('GET', `/api/v1/services/${name}/events`)).json().items;

async function withModelAndService(name: string): Promise<void> {
  p = await testPlatform();
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
    { name: 'f', filename: 'model.onnx', data: tinyReluOnnx() },
  ]);
  await p.app.inject({ method: 'POST', url: '/api/v1/models/tiny/versions', payload: mp.payload, headers: mp.headers });
  await eventually(async () => (await call('GET', '/api/v1/models/tiny/versions/v1')).json().status === 'ready', 30_000, 'import');
  expect((await call('POST', '/api/v1/services', { name, version: version() })).statusCode).toBe(202);
}

describe('instances that cannot be started', () => {
  it('a stored env the OS refuses: the service goes Failed with the reason and an event, across a restart, until the spec is fixed', async () => {
    await withModelAndService('nul-env');
    const row = await p!.db.kysely.selectFrom('service_versions').selectAll().executeTakeFirstOrThrow();
    const spec = { ...JSON.parse(row.spec), env: { GREETING: 'hello\u0000world' } };
    await p!.db.kysely
      .updateTable('service_versions')
      .set({ spec: JSON.stringify(spec), desired_instances: 1, resume_instances: 1 })
      .where('id', '=', row.id)
      .execute();
    const dataDir = p!.dataDir;
    await p!.close();
    p = await testPlatform({ dataDir });

    const failed = await eventually(
      async () => {
        const s = (await call('GET', '/api/v1/services/nul-env')).json();
        return s.status === 'Failed' ? s : null;
      },
      30_000,
      'Failed',
    );
    expect(failed.reason).toMatch(/could not start the instance process: .*null bytes/);
    expect(failed.versions[0]).toMatchObject({ status: 'Failed', reason: expect.stringMatching(/could not start the instance process/) });
    const warned = (await events('nul-env')).filter((e) => e.type === 'Warning');
    expect(warned.map((e) => e.object)).toEqual(expect.arrayContaining(['service/nul-env', 'version/1']));
    expect(warned.some((e) => /^instance\//.test(e.object) && /could not start the instance process/.test(e.message))).toBe(true);
    await eventually(async () => (await call('GET', '/api/v1/services/nul-env/instances')).json().items.length === 0, 10_000, 'the failed instance removed');

    // The API refuses the same env; a fixed spec replaces the failed version's instances.
    const again = await call(
      'PUT',
      '/api/v1/services/nul-env/versions/1',
      version({ env: { GREETING: 'hello\u0000world' }, scaling: { mode: 'manual', instances: 1 } }),
    );
    expect([again.statusCode, again.json().error.details.fields[0].field]).toEqual([400, 'env.GREETING']);
    expect(
      (await call('PUT', '/api/v1/services/nul-env/versions/1', version({ env: { GREETING: 'hello world' }, scaling: { mode: 'manual', instances: 1 } })))
        .statusCode,
    ).toBe(202);
    const back = await eventually(
      async () => {
        const s = (await call('GET', '/api/v1/services/nul-env')).json();
        return s.status === 'Running' && s.versions[0].readyInstances === 1 ? s : null;
      },
      60_000,
      'Running after the fix',
    );
    expect(back.reason).toBeUndefined();
  });

  it('a version whose model version vanished from the store: Failed with "reconcile failed" and an event, retried each pass', async () => {
    await withModelAndService('orphan');
    await eventually(async () => (await call('GET', '/api/v1/services/orphan')).json().status === 'Running', 10_000, 'Running at 0 instances');
    await p!.db.kysely.deleteFrom('model_versions').execute();
    expect((await call('POST', '/api/v1/services/orphan/actions', { action: 'scale', instances: 1 })).statusCode).toBe(202);
    const failed = await eventually(
      async () => {
        const s = (await call('GET', '/api/v1/services/orphan')).json();
        return s.status === 'Failed' ? s : null;
      },
      10_000,
      'Failed',
    );
    expect(failed.reason).toBe('reconcile failed: model "tiny" v1 no longer exists');
    expect(failed.versions[0].reason).toBe(failed.reason);
    const evs = await events('orphan');
    const reconcile = evs.find((e) => e.reason === 'ReconcileFailed');
    expect(reconcile).toMatchObject({ type: 'Warning', object: 'version/1', message: failed.reason });
    // Each pass tries again: the event's count grows instead of the log alone saying so.
    await eventually(
      async () =>
        ((await call('GET', '/api/v1/services/orphan/events')).json().items.find((e: Event & { count: number }) => e.reason === 'ReconcileFailed')?.count ??
          0) > 1,
      10_000,
      'a retry',
    );
    expect((await call('GET', '/api/v1/services/orphan/instances')).json().items).toEqual([]);
  });
});
