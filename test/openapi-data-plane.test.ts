/**
 * The data plane's real answers match the OpenAPI document: a service running a real ONNX
 * instance (the tiny Relu model) answers OIP v2 infer, metadata and readiness (per service
 * and per version) and KServe v1 readiness in the documented shapes, and refuses a call
 * without its token with a documented 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, testPlatform, type TestPlatform } from './support/platform.js';
import { multipart } from './support/multipart.js';
import { openApiOf } from './support/openapi.js';
import { tinyInferBody, tinyReluOnnx } from './gateway-model.js';

let p: TestPlatform;
let api: Awaited<ReturnType<typeof openApiOf>>;
beforeAll(async () => {
  p = await testPlatform();
  api = await openApiOf(p.app);
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
    { name: 'f', filename: 'model.onnx', data: tinyReluOnnx() },
  ]);
  expect((await p.app.inject({ method: 'POST', url: '/api/v1/models/tiny/versions', payload: mp.payload, headers: mp.headers })).statusCode).toBe(202);
  await eventually(async () => (await p.app.inject({ url: '/api/v1/models/tiny/versions/v1' })).json().status === 'ready');
  const version = { model: 'tiny', modelVersion: 'v1', resources: { cpuMillicores: 500, memoryMiB: 256 }, scaling: { mode: 'manual', instances: 1 } };
  expect((await p.app.inject({ method: 'POST', url: '/api/v1/services', payload: { name: 'tiny', version } })).statusCode).toBe(202);
  await eventually(async () => (await p.app.inject({ url: '/api/v1/services/tiny' })).json().versions?.[0]?.readyInstances === 1, 60_000, 'a ready instance');
}, 120_000);
afterAll(async () => {
  await p?.close();
});

const call = async (method: 'GET' | 'POST', url: string, route: string, want: number, body?: string) => {
  const r = await p.app.inject({ method, url, ...(body ? { payload: body, headers: { 'content-type': 'application/json' } } : {}) });
  expect([method, url, r.statusCode], r.body).toEqual([method, url, want]);
  api.expectDocumented(method, route, r);
  return r.json();
};

describe('the data plane against the OpenAPI document', () => {
  it('answers infer, metadata and readiness in the documented shapes', async () => {
    const out = await call('POST', '/v2/models/tiny/infer', '/v2/models/:service/infer', 200, tinyInferBody([-3, -1, 0.5, 4]));
    expect(out.outputs[0].data).toEqual([0, 0, 0.5, 4]);
    await call('POST', '/v2/models/tiny/versions/1/infer', '/v2/models/:service/versions/:v/infer', 200, tinyInferBody());
    expect((await call('GET', '/v2/models/tiny', '/v2/models/:service', 200)).inputs[0].name).toBe('x');
    await call('GET', '/v2/models/tiny/versions/1', '/v2/models/:service/versions/:v', 200);
    await call('GET', '/v2/models/tiny/ready', '/v2/models/:service/ready', 200);
    await call('GET', '/v2/models/tiny/versions/1/ready', '/v2/models/:service/versions/:v/ready', 200);
    await call('GET', '/v1/models/tiny', '/v1/models/:service', 200);
    await call('GET', '/v2/models/tiny/versions/9/ready', '/v2/models/:service/versions/:v/ready', 404);
  });

  it('refuses a call without its token with the documented 401', async () => {
    expect((await p.app.inject({ method: 'PATCH', url: '/api/v1/services/tiny', payload: { auth: true } })).statusCode).toBe(200);
    await eventually(
      async () =>
        (await p.app.inject({ method: 'POST', url: '/v2/models/tiny/infer', payload: tinyInferBody(), headers: { 'content-type': 'application/json' } }))
          .statusCode === 401,
      10_000,
      'auth on',
    );
    await call('POST', '/v2/models/tiny/infer', '/v2/models/:service/infer', 401, tinyInferBody());
    await call('POST', '/tiny/v1/models/m:predict', '/:service/v1/models/m::predict', 401, '{"instances":[]}');
  });
});
