/**
 * What call-info needs to know of a service's package to show calls that work: its kind
 * (from the model version's runtime and files) and, when an instance is ready, the OIP
 * inputs it reports (so a plain ONNX service gets a tensor body of the right shape).
 */
import type { OipModelMetadata } from '../contracts/oip.js';
import type { Service } from '../contracts/services.js';
import type { ServiceRoute } from '../gateway/service-directory.js';
import { packageKind } from './call-examples.js';
import type { CallFacts } from './call-info.js';

export interface CallFactsDeps {
  /** the paths of a model version's files */
  versionFiles(model: string, version: string): Promise<string[]>;
  /** the gateway's route of a service (its versions' ready instances) */
  route(name: string): ServiceRoute | undefined;
  /** how long to wait for an instance's metadata (default 1500 ms) */
  timeoutMs?: number;
}

export function callFacts(deps: CallFactsDeps): (s: Service) => Promise<CallFacts> {
  return async (s) => {
    const v = s.versions.find((x) => x.weight > 0) ?? s.versions[0];
    if (!v) return {};
    const files = await deps.versionFiles(v.model, v.modelVersion).catch(() => undefined);
    const facts: CallFacts = files ? { kind: packageKind(v.runtime, files) } : {};
    const target = deps.route(s.name)?.versions.find((x) => x.id === v.id)?.targets[0];
    if (target) {
      try {
        const res = await fetch(`${target.url}/v2/models/${encodeURIComponent(s.name)}`, { signal: AbortSignal.timeout(deps.timeoutMs ?? 1500) });
        if (res.ok) {
          const meta = (await res.json()) as OipModelMetadata;
          if (Array.isArray(meta.inputs) && meta.inputs.length) facts.inputs = meta.inputs;
        }
      } catch {
        /* no metadata: the examples do without */
      }
    }
    return facts;
  };
}
