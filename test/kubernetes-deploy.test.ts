/**
 * deploy/kubernetes/: every object the platform's own manifests hold validates against
 * the Kubernetes schemas (kubernetes-models, no unknown fields), the kustomization lists
 * every file, and what the platform needs is there (2 replicas, PDB, RBAC for what the
 * Kubernetes backend calls).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { validateManifest } from './support/kubernetes.js';

const DIR = path.resolve('deploy/kubernetes');
const read = (f: string) => loadAllYaml(fs.readFileSync(path.join(DIR, f), 'utf8')) as Record<string, any>[];

it('deploy/kubernetes validates and deploys the platform as an SRE would', () => {
  const kustomization = read('kustomization.yaml')[0]!;
  const files = fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort();
  expect([...kustomization.resources].sort()).toEqual(files);
  const objects = files.flatMap(read);
  expect(objects.map((o) => validateManifest(o))).toHaveLength(objects.length);
  const get = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

  const platform = get('Deployment', 'modeldock');
  expect(platform.spec.replicas).toBe(2);
  expect(platform.spec.template.spec.serviceAccountName).toBe('modeldock');
  const env = platform.spec.template.spec.containers[0].envFrom.map((e: any) => e.configMapRef?.name ?? e.secretRef?.name);
  expect(env).toEqual(['modeldock-config', 'modeldock-platform', 'modeldock-s3']);
  expect(get('Secret', 'modeldock-platform').stringData).toHaveProperty('MODELDOCK_DATABASE_URL');
  expect(get('ConfigMap', 'modeldock-config').data.MODELDOCK_BLOB_URL).toMatch(/^s3:\/\//);
  expect(get('PodDisruptionBudget', 'modeldock').spec).toMatchObject({ minAvailable: 1 });
  expect(get('Service', 'modeldock').spec.selector).toEqual(platform.spec.selector.matchLabels);

  // the Role grants what the backend calls: apply/delete Deployments and Services, read and annotate pods
  const rules = get('Role', 'modeldock-instances').rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  const can = (group: string, resource: string, verb: string) =>
    rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
  for (const verb of ['get', 'patch', 'delete']) expect(can('apps', 'deployments', verb)).toBe(true);
  for (const verb of ['get', 'patch', 'delete']) expect(can('', 'services', verb)).toBe(true);
  for (const verb of ['list', 'patch']) expect(can('', 'pods', verb)).toBe(true);
  expect(get('RoleBinding', 'modeldock-instances').subjects).toEqual([{ kind: 'ServiceAccount', name: 'modeldock', namespace: 'modeldock' }]);
});
