/**
 * The OpenAPI document covers every route Fastify has, each with an operationId, tags,
 * security and a response schema for its success status, and real answers of the main
 * flows (model import, listing, a version, a service created 202, tokens, errors) are
 * valid against the document's own schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, testPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { multipart } from '../../../test/support/multipart.js';
import { openApiOf, type OpenApiDoc } from '../../../test/support/openapi.js';
import { registeredRoutes } from './document.js';

let p: TestPlatform;
let doc: OpenApiDoc;
let api: Awaited<ReturnType<typeof openApiOf>>;
const operation = (method: string, url: string) => api.operation(method, url);
const successOf = (method: string, url: string) => api.successOf(method, url);
const validator = (method: string, url: string, status: string) => api.validator(method, url, status);
const expectDocumented = (method: string, url: string, r: { statusCode: number; body: string }) => api.expectDocumented(method, url, r);

beforeAll(async () => {
  p = await testPlatform();
  api = await openApiOf(p.app);
  doc = api.doc;
});
afterAll(async () => {
  await p.close();
});

describe('the OpenAPI document', () => {
  it('documents every registered route with an operationId, tags, security and its success answer', () => {
    const routes = registeredRoutes(p.app).filter((r) => !r.hidden);
    expect(routes.length).toBeGreaterThan(60);
    const missing: string[] = [];
    for (const r of routes) {
      const o = operation(r.method, r.url);
      const ok = o && Object.keys(o.responses).find((s) => /^2/.test(s));
      const okBody = ok && (ok === '204' || Object.values(o!.responses[ok]!.content ?? {})[0]?.schema);
      if (!o?.operationId || !o.tags?.length || !o.security || !okBody) missing.push(`${r.method} ${r.url}`);
    }
    expect(missing).toEqual([]);
  });

  it("gives a route's own declared success status, where it declares one", () => {
    const own = registeredRoutes(p.app).filter((r) => !r.hidden && r.declared.some((s) => s.startsWith('2')));
    expect(own.length).toBeGreaterThan(10);
    const differ = own
      .map((r) => [`${r.method} ${r.url}`, r.declared.find((s) => s.startsWith('2')), String(successOf(r.method, r.url))])
      .filter(([, own, documented]) => own !== documented);
    expect(differ).toEqual([]);
  });

  it('refers only to component schemas it has', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(100);
    const unknown = refs.filter((r) => !r.startsWith('#/components/schemas/') || !(r.slice(21) in doc.components.schemas));
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('has unique camelCase operationIds and the shared Error schema on the errors', () => {
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, o]) => ({ path, m, o })));
    const ids = ops.map((x) => x.o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]+$/);
    for (const { path, o } of ops.filter((x) => x.path.startsWith('/api/'))) {
      for (const s of ['400', '401'])
        expect(o.responses[s]?.content?.['application/json']?.schema, `${path} ${s}`).toEqual({ $ref: '#/components/schemas/Error' });
      if (path.includes('{')) expect(Object.keys(o.responses)).toContain('404');
      expect(o.security).toEqual([{ adminToken: [] }]);
    }
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['adminToken', 'serviceToken']);
    expect(operation('POST', '/v2/models/:service/infer')).toMatchObject({ operationId: 'oipInfer', security: [{ serviceToken: [] }, {}] });
    const headers = (operation('POST', '/v2/models/:service/infer') as { parameters?: { in: string; name: string }[] }).parameters
      ?.filter((x) => x.in === 'header')
      .map((x) => x.name);
    expect(headers?.sort()).toEqual(['inference-header-content-length', 'x-modeldock-version']);
    const limited = operation('POST', '/v2/models/:service/infer')!.responses['429'] as { headers?: Record<string, unknown>; content?: unknown };
    expect([Object.keys(limited.headers ?? {}), limited.content]).toEqual([
      ['retry-after'],
      { 'application/json': { schema: { $ref: '#/components/schemas/OipError' } } },
    ]);
    expect(Object.keys(operation('POST', '/v2/models/:service/infer')!.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '429', '503']));
    expect(operation('POST', '/api/v1/services')!.responses['202']).toBeDefined();
    expect(operation('POST', '/api/v1/services')!.responses['200']).toBeUndefined();
  });

  it('is matched by real answers: model import, listing, a version, a service (202), tokens and errors', async () => {
    const inject = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, route: string, payload?: object, want = successOf(method, route)) => {
      const r = await p.app.inject({ method, url, ...(payload ? { payload } : {}) });
      expect([method, url, r.statusCode], r.body).toEqual([method, url, want]);
      expectDocumented(method, route, r);
      return r.json();
    };
    await inject('POST', '/api/v1/models', '/api/v1/models', { name: 'doc', description: 'd' });
    await inject('POST', '/api/v1/models', '/api/v1/models', { name: 'doc' }, 409);
    await inject('POST', '/api/v1/models', '/api/v1/models', { name: 7 }, 400);
    const mp = multipart([
      { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu' }) },
      { name: 'f', filename: 'model.onnx', data: Buffer.from('not really onnx') },
    ]);
    const imported = await p.app.inject({ method: 'POST', url: '/api/v1/models/doc/versions', payload: mp.payload, headers: mp.headers });
    expectDocumented('POST', '/api/v1/models/:name/versions', imported);
    await eventually(async () => (await p.app.inject({ url: '/api/v1/models/doc/versions/v1' })).json().status === 'ready');
    await inject('GET', '/api/v1/models/doc/versions/v1', '/api/v1/models/:name/versions/:version');
    await inject('GET', '/api/v1/models/doc/versions/v9', '/api/v1/models/:name/versions/:version', undefined, 404);
    await inject('GET', '/api/v1/models/doc/versions', '/api/v1/models/:name/versions');
    await inject('GET', '/api/v1/models', '/api/v1/models');
    await inject('GET', '/api/v1/models/doc', '/api/v1/models/:name');
    await inject('GET', '/api/v1/models/doc/versions/v1/files', '/api/v1/models/:name/versions/:version/files');

    const version = { model: 'doc', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 1024 }, scaling: { mode: 'manual', instances: 0 } };
    const created = await p.app.inject({ method: 'POST', url: '/api/v1/services', payload: { name: 'docsvc', version } });
    expect(created.statusCode).toBe(202);
    expectDocumented('POST', '/api/v1/services', created);
    await eventually(async () => (await p.app.inject({ url: '/api/v1/services/docsvc' })).json().status === 'Running', 10_000, 'Running');
    await inject('GET', '/api/v1/services/docsvc', '/api/v1/services/:name');
    await inject('GET', '/api/v1/services', '/api/v1/services');
    await inject('GET', '/api/v1/services/docsvc/instances', '/api/v1/services/:name/instances');
    await inject('GET', '/api/v1/services/docsvc/events', '/api/v1/services/:name/events');
    await inject('GET', '/api/v1/services/docsvc/call-info', '/api/v1/services/:name/call-info');
    await inject('GET', '/api/v1/services/docsvc/metrics', '/api/v1/services/:name/metrics');
    await inject('GET', '/api/v1/services/docsvc/logs', '/api/v1/services/:name/logs');
    await inject('POST', '/api/v1/services/docsvc/versions', '/api/v1/services/:name/versions', version);
    await inject('POST', '/api/v1/services/docsvc/actions', '/api/v1/services/:name/actions', { action: 'stop' });

    const base = '/api/v1/services/:name/tokens';
    const token = await inject('POST', '/api/v1/services/docsvc/tokens', base, { name: 'ci' });
    await inject('GET', '/api/v1/services/docsvc/tokens', base);
    await inject('GET', `/api/v1/services/docsvc/tokens/${token.id}`, `${base}/:id`);
    await inject('PATCH', `/api/v1/services/docsvc/tokens/${token.id}`, `${base}/:id`, { enabled: false });
    await inject('POST', `/api/v1/services/docsvc/tokens/${token.id}/rotate`, `${base}/:id/rotate`);
    await inject('GET', '/api/v1/services/nope/tokens/x', `${base}/:id`, undefined, 404);

    await inject('GET', '/api/v1/runtimes', '/api/v1/runtimes');
    await inject('GET', '/api/v1/templates', '/api/v1/templates');
    await inject('GET', '/api/v1/tasks', '/api/v1/tasks');
    await inject('GET', '/api/v1/task-examples', '/api/v1/task-examples');
    await inject('GET', '/api/v1/storage', '/api/v1/storage');
    await inject('GET', '/api/v1/resource-groups', '/api/v1/resource-groups');
    await inject('GET', '/v2', '/v2');
    await inject('GET', '/v2/health/ready', '/v2/health/ready');
    await inject('GET', '/v2/models/nope', '/v2/models/:service', undefined, 404); // in the OIP shape
    await inject('GET', '/api/v1/services/docsvc', '/api/v1/services/:name');
    // the schemas can fail: a service without its status is not one
    const service = (await p.app.inject({ url: '/api/v1/services/docsvc' })).json();
    delete service.status;
    const validate = validator('GET', '/api/v1/services/:name', '200');
    expect(validate(service)).toBe(false);
    expect(validate.errors).toContainEqual(expect.objectContaining({ keyword: 'required', params: { missingProperty: 'status' } }));
    await inject('DELETE', '/api/v1/services/docsvc', '/api/v1/services/:name');
  });
  it('is matched by real answers: storage, a task run, resource groups, files, deletes (204) and the data plane', async () => {
    const inject = async (
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      url: string,
      route: string,
      payload?: object | string,
      want = successOf(method, route),
    ) => {
      const r = await p.app.inject({
        method,
        url,
        ...(payload !== undefined ? { payload } : {}),
        ...(typeof payload === 'string' ? { headers: { 'content-type': 'application/octet-stream' } } : {}),
      });
      expect([method, url, r.statusCode], r.body).toEqual([method, url, want]);
      if (r.statusCode === 204) expect(operation(method, route)!.responses['204'], `${method} ${route} 204`).toBeDefined();
      else expectDocumented(method, route, r);
      return r.statusCode === 204 ? undefined : r.json();
    };
    await inject(
      'PUT',
      '/api/v1/storage/code/doc/train.js',
      '/api/v1/storage/*',
      "console.log('trained'); require('fs').writeFileSync(process.env.MODELDOCK_OUTPUT_DIR + '/out.txt', 'x');",
    );
    await inject('GET', '/api/v1/storage?prefix=code/', '/api/v1/storage');
    await inject('GET', '/api/v1/storage/nothing/here', '/api/v1/storage/*', undefined, 404);
    await inject('POST', '/api/v1/tasks', '/api/v1/tasks', {
      name: 'doctask',
      runtime: 'node20-handler',
      code: { type: 'storage', path: 'code/doc' },
      command: 'node train.js',
    });
    await eventually(
      async () => ['Succeeded', 'Failed'].includes((await p.app.inject({ url: '/api/v1/tasks/doctask' })).json().state),
      60_000,
      'the task to end',
    );
    await inject('GET', '/api/v1/tasks/doctask', '/api/v1/tasks/:name');
    await inject('GET', '/api/v1/tasks', '/api/v1/tasks');
    await inject('GET', '/api/v1/tasks/doctask/logs', '/api/v1/tasks/:name/logs');
    await inject('GET', '/api/v1/tasks/doctask/outputs', '/api/v1/tasks/:name/outputs');
    await inject('POST', '/api/v1/tasks/doctask/actions', '/api/v1/tasks/:name/actions', { action: 'stop' }, 409); // it ended
    await inject('DELETE', '/api/v1/tasks/doctask', '/api/v1/tasks/:name');
    await inject('GET', '/api/v1/datasets', '/api/v1/datasets');
    await inject('GET', '/api/v1/cluster', '/api/v1/cluster');

    await inject('POST', '/api/v1/resource-groups', '/api/v1/resource-groups', { name: 'docrg', cpuMillicores: 2000, memoryMiB: 2048 });
    await inject('GET', '/api/v1/resource-groups/docrg', '/api/v1/resource-groups/:name');
    await inject('DELETE', '/api/v1/resource-groups/docrg', '/api/v1/resource-groups/:name');

    await inject('POST', '/api/v1/models', '/api/v1/models', { name: 'docfiles' });
    await inject('PATCH', '/api/v1/models/docfiles', '/api/v1/models/:name', { description: 'changed' });
    await inject('DELETE', '/api/v1/models/docfiles', '/api/v1/models/:name');
    await inject('PUT', '/api/v1/models/doc/versions/v1/files/extra.txt', '/api/v1/models/:name/versions/:version/files/*', 'more');
    await inject('DELETE', '/api/v1/models/doc/versions/v1/files/extra.txt', '/api/v1/models/:name/versions/:version/files/*');

    await inject('POST', '/v2/models/nope/infer', '/v2/models/:service/infer', { inputs: [] }, 404); // in the OIP shape
    await inject('POST', '/nope/v1/models/m:predict', '/:service/v1/models/m::predict', { instances: [] }, 404);
    await inject('GET', '/v2/health/live', '/v2/health/live');
  });
});
