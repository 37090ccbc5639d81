/**
 * Names, labels and annotations of the Kubernetes objects modeldock makes. Object names
 * must be DNS-1035 labels (lowercase letters, digits, `-`, a letter first, ≤ 63) while
 * service names may hold `_` and capitals: those are mapped, with a short hash when the
 * mapping changed anything, so two services never share a name.
 */
import { createHash } from 'node:crypto';

export const LABELS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  service: 'modeldock.io/service',
  version: 'modeldock.io/version',
  specHash: 'modeldock.io/spec-hash',
} as const;

export const ANNOTATIONS = {
  specHash: 'modeldock.io/spec-hash',
  model: 'modeldock.io/model',
  versionId: 'modeldock.io/version-id',
  /** the service's own name, where the label value had to be mapped */
  serviceName: 'modeldock.io/service-name',
} as const;

export const FIELD_MANAGER = 'modeldock';

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 6);

/** A DNS-1123 label value for a service name (labels allow `.`/`_` but not capitals). */
export function labelValue(serviceName: string): string {
  const mapped = serviceName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
  if (mapped === serviceName && mapped.length <= 63) return mapped;
  return `${mapped.slice(0, 56).replace(/-+$/, '')}-${short(serviceName)}`;
}

/** `<service>-v<seq>` as a DNS-1035 label. */
export function k8sName(serviceName: string, versionSeq: number): string {
  let base = labelValue(serviceName);
  if (!/^[a-z]/.test(base)) base = `md-${base}`;
  const suffix = `-v${versionSeq}`;
  return `${base.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

export function selectorFor(v: { serviceName: string; versionSeq: number }): Record<string, string> {
  return { [LABELS.service]: labelValue(v.serviceName), [LABELS.version]: String(v.versionSeq) };
}

export function labelsFor(v: { serviceName: string; versionSeq: number }): Record<string, string> {
  return {
    [LABELS.name]: 'modeldock-instance',
    [LABELS.instance]: k8sName(v.serviceName, v.versionSeq),
    [LABELS.component]: 'inference',
    [LABELS.partOf]: 'modeldock',
    [LABELS.managedBy]: FIELD_MANAGER,
    ...selectorFor(v),
  };
}
