import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, importPlaceholder, testPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { multipart } from '../../../test/support/multipart.js';
import { openApiOf } from '../../../test/support/openapi.js';

// Control-plane behaviour only: versions run 0 instances here, so no process starts.
// Journeys with real instances are in test/services-*.test.ts.
let p: TestPlatform;
beforeEach(async () => {
  p = await testPlatform();
  await importPlaceholder(p);
});
afterEach(async () => {
  await p.close();
});

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => p.app.inject({ method, url, ...(payload ? { payload } : {}) });
const version = (extra: object = {}) => ({
  model: 'm',
  modelVersion: 'v1',
  resources: { cpuMillicores: 1000, memoryMiB: 1024 },
  scaling: { mode: 'manual', instances: 0 },
  ...extra,
});

describe('services control plane', () => {
  it('creates a service, shows it Running with nothing to run, stops, resumes and deletes it', async () => {
    const r = await call('POST', '/api/v1/services', { name: 'svc', description: 'd', tags: { a: 'b' }, version: version() });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({
      name: 'svc',
      status: 'Creating',
      billingMode: 'postpaid',
      auth: false,
      versions: [{ seq: 1, model: 'm', modelVersion: 'v1', weight: 100, runtime: 'onnxruntime1.30-node20-cpu' }],
    });
    const api = await openApiOf(p.app);
    api.expectDocumented('POST', '/api/v1/services', r);
    await eventually(async () => (await call('GET', '/api/v1/services/svc')).json().status === 'Running', 10_000, 'Running');
    await call('POST', '/api/v1/services/svc/actions', { action: 'stop' });
    await eventually(async () => (await call('GET', '/api/v1/services/svc')).json().status === 'Stopped', 10_000, 'Stopped');
    api.expectDocumented('GET', '/api/v1/services/:name', await call('GET', '/api/v1/services/svc'));
    await call('POST', '/api/v1/services/svc/actions', { action: 'resume' });
    await eventually(async () => (await call('GET', '/api/v1/services/svc')).json().status === 'Running', 10_000, 'Running again');
    const events = (await call('GET', '/api/v1/services/svc/events')).json().items.map((e: { reason: string }) => e.reason);
    expect(events).toEqual(expect.arrayContaining(['Stopped', 'Resumed', 'Running']));
    expect((await call('DELETE', '/api/v1/models/m')).json().error.code).toBe('MODEL_IN_USE');
    expect((await call('DELETE', '/api/v1/services/svc')).statusCode).toBe(202);
    await eventually(async () => (await call('GET', '/api/v1/services/svc')).statusCode === 404, 10_000, 'deleted');
    expect((await call('DELETE', '/api/v1/models/m')).statusCode).toBe(204);
  });

  it('adds versions at weight 0 and sets weights', async () => {
    await call('POST', '/api/v1/services', { name: 'w', version: version() });
    const added = (await call('POST', '/api/v1/services/w/versions', version())).json();
    expect(added.versions.map((v: { seq: number; weight: number }) => [v.seq, v.weight])).toEqual([
      [1, 100],
      [2, 0],
    ]);
    const set = (
      await call('PUT', '/api/v1/services/w/weights', {
        weights: [
          { version: 1, weight: 90 },
          { version: 'v2', weight: 10 },
        ],
      })
    ).json();
    expect(set.versions.map((v: { weight: number }) => v.weight)).toEqual([90, 10]);
    const none = await call('PUT', '/api/v1/services/w/weights', {
      weights: [
        { version: 1, weight: 0 },
        { version: 2, weight: 0 },
      ],
    });
    expect([none.statusCode, none.json().error.code]).toEqual([400, 'INVALID_ARGUMENT']);
    const unknown = await call('PUT', '/api/v1/services/w/weights', { weights: [{ version: 7, weight: 1 }] });
    expect(unknown.json().error.code).toBe('VERSION_NOT_FOUND');
  });

  it('admits prepaid services only within their resource group', async () => {
    expect((await call('POST', '/api/v1/services', { name: 'pp', billingMode: 'prepaid', version: version() })).json().error.details.fields[0].field).toBe(
      'resourceGroup',
    );
    expect((await call('POST', '/api/v1/services', { name: 'pp', billingMode: 'prepaid', resourceGroup: 'nope', version: version() })).json().error.code).toBe(
      'RESOURCE_GROUP_NOT_FOUND',
    );
    expect((await call('POST', '/api/v1/resource-groups', { name: 'rg', cpuMillicores: 2000, memoryMiB: 2048 })).statusCode).toBe(201);
    const big = await call('POST', '/api/v1/services', {
      name: 'pp',
      billingMode: 'prepaid',
      resourceGroup: 'rg',
      version: version({ scaling: { mode: 'manual', instances: 3 } }),
    });
    expect([big.statusCode, big.json().error.code]).toEqual([409, 'NO_CAPACITY']);
    expect((await call('POST', '/api/v1/services', { name: 'pp', billingMode: 'prepaid', resourceGroup: 'rg', version: version() })).statusCode).toBe(202);
    expect((await call('POST', '/api/v1/services/pp/actions', { action: 'scale', instances: 3 })).json().error.code).toBe('NO_CAPACITY');
    const rg = (await call('GET', '/api/v1/resource-groups/rg')).json();
    expect(rg).toMatchObject({ capacity: { cpuMillicores: 2000 }, used: { cpuMillicores: 0 }, services: ['pp'] });
    expect((await call('DELETE', '/api/v1/resource-groups/rg')).json().error.code).toBe('RESOURCE_GROUP_IN_USE');
    expect((await call('GET', '/api/v1/services/pp/usage')).json()).toMatchObject({ service: 'pp', currency: 'CNY', items: [] });
  });

  it('refuses bad specs with clear errors', async () => {
    const cases: [object, number, string][] = [
      [{ name: 'api', version: version() }, 400, 'INVALID_NAME'],
      [{ name: 'v2', version: version() }, 400, 'INVALID_NAME'],
      [{ name: 'ok', version: version({ model: 'missing' }) }, 404, 'MODEL_NOT_FOUND'],
      [{ name: 'ok', version: version({ modelVersion: 'v9' }) }, 404, 'VERSION_NOT_FOUND'],
      [
        { name: 'ok', version: version({ scaling: { mode: 'auto', minInstances: 3, maxInstances: 2, metric: 'concurrency', target: 4 } }) },
        400,
        'INVALID_ARGUMENT',
      ],
      [{ name: 'ok', version: version({ resources: { cpuMillicores: 1, memoryMiB: 1 } }) }, 400, 'INVALID_ARGUMENT'],
      [{ name: 'ok', version: version({ scaling: { mode: 'sometimes' } }) }, 400, 'INVALID_ARGUMENT'],
    ];
    for (const [body, status, code] of cases) {
      const r = await call('POST', '/api/v1/services', body);
      expect([JSON.stringify(body).slice(0, 60), r.statusCode, r.json().error.code]).toEqual([JSON.stringify(body).slice(0, 60), status, code]);
    }
    await call('POST', '/api/v1/services', { name: 'dup', version: version() });
    expect((await call('POST', '/api/v1/services', { name: 'dup', version: version() })).json().error.code).toBe('SERVICE_EXISTS');
    expect((await call('GET', '/api/v1/services/nope')).json().error.code).toBe('SERVICE_NOT_FOUND');
  });

  it('refuses an env no instance could be started with, naming the field, on create, add and update', async () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`V${i}`, 'x']));
    const huge = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`V${i}`, 'x'.repeat(8000)]));
    const cases: [Record<string, unknown>, string][] = [
      [{ 'BAD-KEY': 'x' }, 'env.BAD-KEY'],
      [{ '9LIVES': 'x' }, 'env.9LIVES'],
      [{ 'A B': 'x' }, 'env.A B'],
      [{ 'A=B': 'x' }, 'env.A=B'],
      [{ 'A\nB': 'x' }, 'env.A\\x0aB'],
      [{ 'A\u0000B': 'x' }, 'env.A\\x00B'],
      [{ '': 'x' }, 'env'],
      [{ GREETING: 'hello\u0000world' }, 'env.GREETING'],
      [{ GREETING: 'x'.repeat(8193) }, 'env.GREETING'],
      [{ GREETING: 42 }, 'env.GREETING'],
      [{ MODELDOCK_INSTANCE_ID: 'mine' }, 'env.MODELDOCK_INSTANCE_ID'],
      [{ TI_MODEL_DIR: '/elsewhere' }, 'env.TI_MODEL_DIR'],
      [{ NODE_OPTIONS: '--require /tmp/x.js' }, 'env.NODE_OPTIONS'],
      [{ OMP_NUM_THREADS: '64' }, 'env.OMP_NUM_THREADS'],
      [many, 'env'],
      [huge, 'env'],
    ];
    await call('POST', '/api/v1/services', { name: 'ok', version: version() });
    for (const [env, field] of cases) {
      const what = JSON.stringify(env).slice(0, 60);
      for (const [url, method, body, at] of [
        ['/api/v1/services', 'POST', { name: 'e', version: version({ env }) }, 'version.'],
        ['/api/v1/services/ok/versions', 'POST', version({ env }), ''],
        ['/api/v1/services/ok/versions/1', 'PUT', version({ env }), ''],
      ] as const) {
        const r = await call(method, url, body);
        expect([what, url, r.statusCode, r.json().error?.code]).toEqual([what, url, 400, 'INVALID_ARGUMENT']);
        expect([what, url, r.json().error.details.fields.map((f: { field: string }) => f.field)]).toEqual([what, url, expect.arrayContaining([at + field])]);
      }
    }
    expect((await call('GET', '/api/v1/services/e')).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/services/ok')).json().versions).toHaveLength(1);
    const fine = await call('POST', '/api/v1/services', {
      name: 'fine',
      version: version({ env: { _X: '', lower_case: 'ünï cödé = fine', MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: '1', TI_INFERENCE_NUMS: '2' } }),
    });
    expect(fine.statusCode, fine.body).toBe(202);
  });

  it('refuses other strings a spec hands to an instance or the platform that cannot be used', async () => {
    const cases: [object, string][] = [
      [{ probes: { readiness: { path: '/ready now' } } }, 'version.probes.readiness.path'],
      [{ probes: { liveness: { path: '/live\u0000' } } }, 'version.probes.liveness.path'],
      [{ probes: { readiness: { path: 'no-slash' } } }, 'version.probes.readiness.path'],
      [{ logDelivery: { type: 'file', path: '/tmp/a\u0000b.log' } }, 'version.logDelivery'],
      [{ logDelivery: { type: 'http', url: 'http://exa mple.com/logs' } }, 'version.logDelivery.url'],
    ];
    for (const [extra, field] of cases) {
      const r = await call('POST', '/api/v1/services', { name: 'p', version: version(extra) });
      const what = JSON.stringify(extra);
      expect([what, r.statusCode, r.json().error?.code]).toEqual([what, 400, 'INVALID_ARGUMENT']);
      expect([what, r.json().error.details.fields.some((f: { field: string }) => f.field.startsWith(field))]).toEqual([what, true]);
    }
    const ok = await call('POST', '/api/v1/services', { name: 'p', version: version({ probes: { readiness: { path: '/v2/health/ready?verbose=1' } } }) });
    expect(ok.statusCode, ok.body).toBe(202);
  });

  it('freezes the files of a model version while a service deploys it: every write path is refused with the services named', async () => {
    const before = (await call('GET', '/api/v1/models/m/versions/v1')).json().files;
    await call('POST', '/api/v1/services', { name: 'uses-v1', version: version() });
    await call('POST', '/api/v1/services', { name: 'also-v1', version: version() });
    const mp = (unzip: boolean) =>
      multipart([...(unzip ? [{ name: 'unzip', value: 'true' }] : []), { name: 'f', filename: 'extra.txt', data: Buffer.from('more') }]);
    const writes = [
      () =>
        p.app.inject({
          method: 'PUT',
          url: '/api/v1/models/m/versions/v1/files/model.onnx',
          payload: Buffer.from('replaced'),
          headers: { 'content-type': 'application/octet-stream' },
        }),
      () =>
        p.app.inject({
          method: 'PUT',
          url: '/api/v1/models/m/versions/latest/files/new/file.txt',
          payload: Buffer.from('new'),
          headers: { 'content-type': 'application/octet-stream' },
        }),
      () => p.app.inject({ method: 'DELETE', url: '/api/v1/models/m/versions/v1/files/model.onnx' }),
      () => p.app.inject({ method: 'DELETE', url: '/api/v1/models/m/versions/1/files/no-such-file' }),
      () => p.app.inject({ method: 'POST', url: '/api/v1/models/m/versions/v1/files', ...(({ payload, headers }) => ({ payload, headers }))(mp(false)) }),
      () => p.app.inject({ method: 'POST', url: '/api/v1/models/m/versions/v1/files', ...(({ payload, headers }) => ({ payload, headers }))(mp(true)) }),
      () => p.app.inject({ method: 'DELETE', url: '/api/v1/models/m/versions/v1' }),
    ];
    for (const [i, write] of writes.entries()) {
      const r = await write();
      expect([i, r.statusCode, r.json().error?.code]).toEqual([i, 409, 'MODEL_IN_USE']);
      expect(r.json().error.message).toMatch(/uses-v1/);
      expect(r.json().error.message).toMatch(/also-v1/);
    }
    expect((await call('GET', '/api/v1/models/m/versions/v1')).json().files).toEqual(before);
    const stored = await call('GET', '/api/v1/models/m/versions/v1/files/model.onnx');
    expect([stored.statusCode, stored.body]).toEqual([200, 'not really onnx']);
    // A stopped service still deploys the version: a resume must find the same files.
    await call('POST', '/api/v1/services/uses-v1/actions', { action: 'stop' });
    expect((await writes[0]!()).statusCode).toBe(409);
    // Once no service deploys it, the version's files can change again.
    for (const name of ['uses-v1', 'also-v1']) await call('DELETE', `/api/v1/services/${name}`);
    await eventually(
      async () => (await call('GET', '/api/v1/services/also-v1')).statusCode === 404 && (await call('GET', '/api/v1/services/uses-v1')).statusCode === 404,
      10_000,
      'deleted',
    );
    expect((await writes[0]!()).statusCode).toBe(200);
    expect((await writes[2]!()).statusCode).toBe(204);
  });

  it('answers call info with the URL, headers and a curl example', async () => {
    await call('POST', '/api/v1/services', { name: 'ci', auth: true, version: version() });
    const info = (await call('GET', '/api/v1/services/ci/call-info')).json();
    expect(info).toMatchObject({ method: 'POST', auth: true, headers: { Authorization: 'Bearer <token>' } });
    // a plain ONNX package (model.onnx alone) is called with OIP v2 tensors, not {"images"}
    expect([info.kind, info.examples[0].protocol]).toEqual(['onnx', 'oip-v2']);
    expect(info.url).toMatch(/\/v2\/models\/ci\/infer$/);
    expect(info.curl).toContain(info.url);
    expect(info.kserve.predict).toMatch(/\/v1\/models\/ci:predict$/);
  });
});
