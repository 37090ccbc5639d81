/**
 * Checks a manifest against the Kubernetes API schemas the way `kubectl apply
 * --validate=strict` would, without a cluster:
 *  - kubernetes-models' validate(): the OpenAPI schema of the kind (types, required fields,
 *    enums); KEDA's ScaledObject from @kubernetes-models/keda (its CRD schema);
 *  - no unknown fields: kubernetes-models' schemas allow extra properties (as the API's
 *    OpenAPI does), so a misspelt field would pass them; every field is also looked up in
 *    @kubernetes/client-node's generated type map for the kind.
 */
import * as k8s from '@kubernetes/client-node';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';

type Obj = Record<string, unknown>;
type ModelClass = new (o: Obj) => { validate(): void };

const MODELS: Record<string, ModelClass> = {
  'apps/v1/Deployment': Deployment as unknown as ModelClass,
  'v1/Service': Service as unknown as ModelClass,
  'v1/ServiceAccount': ServiceAccount as unknown as ModelClass,
  'v1/ConfigMap': ConfigMap as unknown as ModelClass,
  'v1/Secret': Secret as unknown as ModelClass,
  'v1/Namespace': Namespace as unknown as ModelClass,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as ModelClass,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as ModelClass,
  'rbac.authorization.k8s.io/v1/Role': Role as unknown as ModelClass,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding as unknown as ModelClass,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject as unknown as ModelClass,
};

/** Throws with every problem found; answers the kind checked. */
export function validateManifest(m: Obj): string {
  const key = `${m.apiVersion}/${m.kind}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no schema for ${key}`);
  try {
    new Model(m).validate();
  } catch (e) {
    throw new Error(`${key} ${(m.metadata as Obj)?.name}: ${(e as Error).message}`);
  }
  const typeName = `${String(m.apiVersion).split('/').at(-1)!.toUpperCase()}${m.kind}`;
  if (typeof (k8s as unknown as Obj)[typeName] === 'function') {
    const unknown = unknownFields(m, typeName, '');
    if (unknown.length) throw new Error(`${key} ${(m.metadata as Obj)?.name}: fields the API does not know: ${unknown.join(', ')}`);
  }
  return key;
}

type AttrMap = { name: string; baseName: string; type: string }[];

function attrs(typeName: string): AttrMap | undefined {
  const cls = (k8s as unknown as Record<string, { getAttributeTypeMap?: () => AttrMap }>)[typeName];
  return cls?.getAttributeTypeMap?.();
}

function unknownFields(value: unknown, typeName: string, at: string): string[] {
  if (value === null || typeof value !== 'object') return [];
  const arr = /^Array<(.+)>$/.exec(typeName);
  if (arr) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, arr[1]!, `${at}[${i}]`)) : [];
  const map = attrs(typeName);
  if (!map) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Obj)) {
    const a = map.find((x) => x.baseName === k);
    if (!a) out.push(`${at}.${k}`);
    else out.push(...unknownFields(v, a.type, `${at}.${k}`));
  }
  return out;
}
