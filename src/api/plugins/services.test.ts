import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, testPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { multipart } from '../../../test/support/multipart.js';

// Control-plane behaviour only: versions run 0 instances here, so no process starts.
// Journeys with real instances are in test/services-*.test.ts.
let p: TestPlatform;
beforeEach(async () => {
  p = await testPlatform();
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
    { name: 'f', filename: 'model.onnx', data: Buffer.from('not really onnx') },
  ]);
  await p.app.inject({ method: 'POST', url: '/api/v1/models/m/versions', payload: mp.payload, headers: mp.headers });
  await eventually(async () => (await p.app.inject({ url: '/api/v1/models/m/versions/v1' })).json().status === 'ready');
});
afterEach(async () => {
  await p.close();
});

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => p.app.inject({ method, url, ...(payload ? { payload } : {}) });
const version = (extra: object = {}) => ({ model: 'm', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 1024 }, scaling: { mode: 'manual', instances: 0 }, ...extra });

describe('services control plane', () => {
  it('creates a service, shows it Running with nothing to run, stops, resumes and deletes it', async () => {
    const r = await call('POST', '/api/v1/services', { name: 'svc', description: 'd', tags: { a: 'b' }, version: version() });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ name: 'svc', status: 'Creating', billingMode: 'postpaid', auth: false, versions: [{ seq: 1, model: 'm', modelVersion: 'v1', weight: 100, runtime: 'onnxruntime1.30-node20-cpu' }] });
    await eventually(async () => (await call('GET', '/api/v1/services/svc')).json().status === 'Running', 10_000, 'Running');
    await call('POST', '/api/v1/services/svc/actions', { action: 'stop' });
    await eventually(async () => (await call('GET', '/api/v1/services/svc')).json().status === 'Stopped', 10_000, 'Stopped');
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
    expect(added.versions.map((v: { seq: number; weight: number }) => [v.seq, v.weight])).toEqual([[1, 100], [2, 0]]);
    const set = (await call('PUT', '/api/v1/services/w/weights', { weights: [{ version: 1, weight: 90 }, { version: 'v2', weight: 10 }] })).json();
    expect(set.versions.map((v: { weight: number }) => v.weight)).toEqual([90, 10]);
    const none = await call('PUT', '/api/v1/services/w/weights', { weights: [{ version: 1, weight: 0 }, { version: 2, weight: 0 }] });
    expect([none.statusCode, none.json().error.code]).toEqual([400, 'INVALID_ARGUMENT']);
    const unknown = await call('PUT', '/api/v1/services/w/weights', { weights: [{ version: 7, weight: 1 }] });
    expect(unknown.json().error.code).toBe('VERSION_NOT_FOUND');
  });

  it('admits prepaid services only within their resource group', async () => {
    expect((await call('POST', '/api/v1/services', { name: 'pp', billingMode: 'prepaid', version: version() })).json().error.details.fields[0].field).toBe('resourceGroup');
    expect((await call('POST', '/api/v1/services', { name: 'pp', billingMode: 'prepaid', resourceGroup: 'nope', version: version() })).json().error.code).toBe('RESOURCE_GROUP_NOT_FOUND');
    expect((await call('POST', '/api/v1/resource-groups', { name: 'rg', cpuMillicores: 2000, memoryMiB: 2048 })).statusCode).toBe(201);
    const big = await call('POST', '/api/v1/services', { name: 'pp', billingMode: 'prepaid', resourceGroup: 'rg', version: version({ scaling: { mode: 'manual', instances: 3 } }) });
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
      [{ name: 'ok', version: version({ scaling: { mode: 'auto', minInstances: 3, maxInstances: 2, metric: 'concurrency', target: 4 } }) }, 400, 'INVALID_ARGUMENT'],
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

  it('answers call info with the URL, headers and a curl example', async () => {
    await call('POST', '/api/v1/services', { name: 'ci', auth: true, version: version() });
    const info = (await call('GET', '/api/v1/services/ci/call-info')).json();
    expect(info).toMatchObject({ method: 'POST', auth: true, headers: { Authorization: 'Bearer <token>' } });
    expect(info.url).toMatch(/\/ci\/v1\/models\/m:predict$/);
    expect(info.curl).toContain(info.url);
  });
});
