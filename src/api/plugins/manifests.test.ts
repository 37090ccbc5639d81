import { loadAllYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importPlaceholder, testPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { validateManifest } from '../../../test/support/kubernetes.js';

// versions run 0 instances here (manual 0, auto from 0 with no traffic): no process starts
let p: TestPlatform;
beforeAll(async () => {
  p = await testPlatform({ kubernetes: { namespace: 'ml', image: 'registry.example.com/modeldock:0.1.0' } });
  await importPlaceholder(p);
  const version = { model: 'm', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 1024 }, scaling: { mode: 'manual', instances: 0 } };
  await p.app.inject({ method: 'POST', url: '/api/v1/services', payload: { name: 'svc', version } });
  await p.app.inject({
    method: 'POST',
    url: '/api/v1/services/svc/versions',
    payload: { ...version, scaling: { mode: 'auto', minInstances: 0, maxInstances: 3, metric: 'qps-per-instance', target: 10 } },
  });
});
afterAll(async () => {
  await p?.close();
});

it('GET /api/v1/services/{name}/manifests answers every version as valid YAML documents', async () => {
  const r = await p.app.inject({ url: '/api/v1/services/svc/manifests' });
  expect(r.statusCode).toBe(200);
  expect(r.headers['content-type']).toMatch(/^application\/yaml/);
  expect(r.body).toMatch(/^# modeldock service "svc"/);
  const docs = loadAllYaml(r.body) as Record<string, any>[];
  expect(docs.map((d) => validateManifest(d))).toEqual([
    'apps/v1/Deployment',
    'v1/Service',
    'apps/v1/Deployment',
    'v1/Service',
    'keda.sh/v1alpha1/ScaledObject',
  ]);
  expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
    'Deployment/svc-v1',
    'Service/svc-v1',
    'Deployment/svc-v2',
    'Service/svc-v2',
    'ScaledObject/svc-v2',
  ]);
  const model = (await p.app.inject({ url: '/api/v1/models/m/versions/v1' })).json();
  expect(docs[0]!.metadata.namespace).toBe('ml');
  expect(docs[0]!.spec.template.spec.initContainers[0].args).toEqual(['fetch-blobs', '--prefix', model.storagePath, '--into', '/models']);
  expect(docs[0]!.spec.template.spec.containers[0].image).toBe('registry.example.com/modeldock:0.1.0');
  // the same spec hash the reconciler gives instances of that version
  const hash = docs[0]!.metadata.annotations['modeldock.io/spec-hash'];
  expect(hash).toMatch(/^[0-9a-f]{16}$/);
});

it('answers a JSON List with ?format=json, and SERVICE_NOT_FOUND for an unknown service', async () => {
  const r = await p.app.inject({ url: '/api/v1/services/svc/manifests?format=json' });
  expect(r.json()).toMatchObject({ apiVersion: 'v1', kind: 'List' });
  expect(r.json().items).toHaveLength(5);
  const missing = await p.app.inject({ url: '/api/v1/services/nope/manifests' });
  expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'SERVICE_NOT_FOUND']);
  expect((await p.app.inject({ url: '/api/v1/services/svc/manifests?format=xml' })).statusCode).toBe(400);
});
