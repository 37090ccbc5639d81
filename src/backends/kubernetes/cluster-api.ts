/**
 * The few Kubernetes API calls the backend makes, behind one small interface so the
 * backend is tested against a fake cluster (there is none on the build machine).
 * KubeClusterApi talks to a real API server with @kubernetes/client-node: in a pod it uses
 * the service account (RBAC in deploy/kubernetes/rbac.yaml), elsewhere ~/.kube/config.
 */
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { KubeConfig, KubernetesObjectApi, Log, PatchStrategy, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import type { Manifest } from './manifests.js';
import { FIELD_MANAGER } from './names.js';

export interface ClusterApi {
  /** Server-side apply with field manager "modeldock" (conflicts forced: modeldock owns these objects). */
  apply(m: Manifest): Promise<void>;
  /** Deletes an object; absent is fine. */
  remove(apiVersion: string, kind: string, name: string): Promise<void>;
  /** Pods in the namespace matching a label selector. */
  listPods(labelSelector: string): Promise<V1Pod[]>;
  /** Merges annotations into a pod (pod-deletion-cost before a scale-down). */
  annotatePod(name: string, annotations: Record<string, string>): Promise<void>;
  /**
   * Follows a container's log with timestamps (the Log API); `onChunk` gets its text as it
   * comes; `ended` resolves when the stream closes. Absent: instance logs are not collected.
   */
  followLogs?(pod: string, container: string, opts: { sinceTime?: string }, onChunk: (text: string) => void): Promise<{ stop(): void; ended: Promise<void> }>;
}

export class KubeClusterApi implements ClusterApi {
  private readonly api: KubernetesObjectApi;
  private readonly logs: Log;

  constructor(
    private readonly namespace: string,
    kc: KubeConfig = defaultKubeConfig(),
  ) {
    this.api = KubernetesObjectApi.makeApiClient(kc);
    this.logs = new Log(kc);
  }

  async followLogs(
    pod: string,
    container: string,
    opts: { sinceTime?: string },
    onChunk: (text: string) => void,
  ): Promise<{ stop(): void; ended: Promise<void> }> {
    let end: () => void = () => undefined;
    const ended = new Promise<void>((r) => (end = r));
    const utf8 = new StringDecoder('utf8');
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        onChunk(utf8.write(chunk));
        cb();
      },
      final(cb) {
        end();
        cb();
      },
      destroy(_e, cb) {
        end();
        cb(null);
      },
    });
    const ac = await this.logs.log(this.namespace, pod, container, sink, {
      follow: true,
      timestamps: true,
      ...(opts.sinceTime ? { sinceTime: opts.sinceTime } : {}),
    });
    ac.signal.addEventListener('abort', () => end());
    return { stop: () => ac.abort(), ended };
  }

  async apply(m: Manifest): Promise<void> {
    await this.api.patch(m as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  async remove(apiVersion: string, kind: string, name: string): Promise<void> {
    try {
      await this.api.delete({ apiVersion, kind, metadata: { name, namespace: this.namespace } }, undefined, undefined, undefined, undefined, 'Foreground');
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }

  async listPods(labelSelector: string): Promise<V1Pod[]> {
    const res = await this.api.list<V1Pod>('v1', 'Pod', this.namespace, undefined, undefined, undefined, undefined, labelSelector);
    return res.items;
  }

  async annotatePod(name: string, annotations: Record<string, string>): Promise<void> {
    try {
      await this.api.patch(
        { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: this.namespace, annotations } },
        undefined,
        undefined,
        FIELD_MANAGER,
        undefined,
        PatchStrategy.MergePatch,
      );
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
}

function defaultKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}
