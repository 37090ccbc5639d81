/**
 * Property tests of the control API's request schemas (issue #8): any JSON body, of any
 * shape, sent to any write route, is answered below 500 with JSON; every error carries
 * one of the documented codes. Near-valid bodies (right keys, random values) go deeper
 * into the domain checks than random JSON does.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../contracts/errors.js';
import { testPlatform, type TestPlatform } from '../../test/support/platform.js';

let p: TestPlatform;
beforeAll(async () => {
  p = await testPlatform();
  await p.app.inject({ method: 'POST', url: '/api/v1/models', payload: { name: 'm' } });
});
afterAll(async () => {
  await p?.close();
});

type Method = 'POST' | 'PUT' | 'PATCH';
const ROUTES: [Method, string][] = [
  ['POST', '/api/v1/models'],
  ['PATCH', '/api/v1/models/m'],
  ['POST', '/api/v1/models/m/versions'],
  ['POST', '/api/v1/services'],
  ['POST', '/api/v1/services/s/versions'],
  ['PUT', '/api/v1/services/s/weights'],
  ['POST', '/api/v1/services/s/actions'],
  ['POST', '/api/v1/services/s/tokens'],
  ['POST', '/api/v1/resource-groups'],
];

const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 80 }),
  fc.constantFrom(-1, 0, 1e9, 1.5, '', 'v1', 'm', 'manual', 'auto', 'postpaid', 'upload', 'storage'),
);
const resources = fc.record({ cpuMillicores: anyValue, memoryMiB: anyValue, gpu: anyValue }, { requiredKeys: [] });
const scaling = fc.oneof(
  fc.record({ mode: fc.constant('manual'), instances: anyValue }),
  fc.record({ mode: fc.constant('auto'), minInstances: anyValue, maxInstances: anyValue, metric: anyValue, target: anyValue }),
  anyValue,
);
const version = fc.record(
  {
    model: fc.oneof(fc.constant('m'), anyValue),
    modelVersion: anyValue,
    resources,
    scaling,
    env: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), anyValue, { maxKeys: 3 }), anyValue),
  },
  { requiredKeys: [] },
);

/** Bodies with the keys the routes know and values of any kind. */
const nearValid = fc.oneof(
  fc.record(
    { name: anyValue, description: anyValue, tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), anyValue, { maxKeys: 3 }), anyValue) },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      source: fc.oneof(fc.record({ type: fc.constantFrom('storage', 'task', 'upload', 'x'), path: anyValue, task: anyValue }, { requiredKeys: [] }), anyValue),
      format: anyValue,
      runtime: anyValue,
      metrics: anyValue,
      moveMode: anyValue,
    },
    { requiredKeys: [] },
  ),
  fc.record({ name: anyValue, billingMode: anyValue, auth: anyValue, version }, { requiredKeys: [] }),
  version,
  fc.record({ weights: fc.oneof(fc.array(fc.record({ version: anyValue, weight: anyValue }), { maxLength: 3 }), anyValue) }),
  fc.record({ action: fc.oneof(fc.constantFrom('stop', 'resume', 'scale'), anyValue), instances: anyValue }, { requiredKeys: [] }),
  fc.record({ name: anyValue, limits: fc.oneof(fc.record({ perMinute: anyValue, perDay: anyValue }, { requiredKeys: [] }), anyValue) }, { requiredKeys: [] }),
  fc.record({ name: anyValue, cpuMillicores: anyValue, memoryMiB: anyValue, gpu: anyValue }, { requiredKeys: [] }),
);

describe('control API schemas under random bodies', () => {
  it('answer every write route below 500 with a documented error code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), fc.oneof(fc.jsonValue({ maxDepth: 4 }), nearValid), async ([method, url], body) => {
        const r = await p.app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) ?? 'null' });
        expect(r.statusCode, `${method} ${url} ${r.body.slice(0, 300)}`).toBeLessThan(500);
        if (r.statusCode >= 400) expect(Object.keys(ERROR_CODES)).toContain(r.json().error.code);
      }),
      { numRuns: 1500 },
    );
  });
});
