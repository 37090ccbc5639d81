/**
 * A whole service as Kubernetes manifests, for review or GitOps (`modeldock services
 * manifests`, GET /api/v1/services/{name}/manifests): every version's Deployment, Service
 * and autoscaler, as YAML documents or a JSON List.
 */
import type { Service } from '../contracts/services.js';
import { specHash } from './service-spec.js';
import { versionManifests, type Manifest, type ManifestSettings } from '../backends/kubernetes/manifests.js';

export type ManifestFormat = 'yaml' | 'json';

/** `modelKey(model, "v3")` answers the model version's storage path. */
export async function serviceManifests(svc: Service, modelKey: (model: string, version: string) => Promise<string>, s: ManifestSettings): Promise<Manifest[]> {
  const stopped = svc.status === 'Stopped' || svc.status === 'Stopping';
  const out: Manifest[] = [];
  for (const v of [...svc.versions].sort((a, b) => a.seq - b.seq)) {
    // the same hash the reconciler stamps on instances, so a GitOps diff shows no change
    const hash = specHash({ model: v.model, modelVersion: Number(v.modelVersion.replace(/^v/, '')), runtime: v.runtime, spec: v.spec });
    out.push(
      ...versionManifests(
        {
          serviceName: svc.name,
          versionSeq: v.seq,
          versionId: v.id,
          specHash: hash,
          model: v.model,
          modelVersion: v.modelVersion,
          modelKey: await modelKey(v.model, v.modelVersion),
          runtime: v.runtime,
          spec: v.spec,
          ...(stopped ? { replicas: 0 } : {}),
        },
        s,
      ),
    );
  }
  return out;
}

/** YAML documents or a JSON List. (client-node, for its YAML, loads on first use: ~600 ms.) */
export async function renderManifests(svc: Service, ms: Manifest[], format: ManifestFormat): Promise<string> {
  if (format === 'json') return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: ms }, null, 2)}\n`;
  const { dumpYaml } = await import('@kubernetes/client-node');
  const head = `# modeldock service "${svc.name}": ${svc.versions.length} version(s), generated for review or GitOps.\n# Traffic weights between versions live in the modeldock gateway, not in these objects.\n`;
  return head + ms.map((m) => `---\n${dumpYaml(m)}`).join('');
}
