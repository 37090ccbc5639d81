/**
 * The Kubernetes backend against a fake cluster (there is none here): what it applies
 * (server-side, every object schema-valid) and how pod states read back as instances.
 * The fake's "Deployment controller" makes and removes pods to match replicas, removing
 * the lowest pod-deletion-cost first, as the ReplicaSet controller does.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { validateManifest } from '../../../test/support/kubernetes.js';
import { eventually } from '../../../test/support/platform.js';
import type { InstanceTemplate } from '../backend.js';
import type { ClusterApi } from './cluster-api.js';
import { KubernetesBackend } from './kubernetes-backend.js';
import type { Manifest } from './manifests.js';

class FakeCluster implements ClusterApi {
  objects = new Map<string, Manifest & { spec: any }>();
  pods: V1Pod[] = [];
  private n = 0;

  async apply(m: Manifest): Promise<void> {
    validateManifest(m);
    this.objects.set(`${m.kind}/${m.metadata.name}`, structuredClone(m) as Manifest & { spec: any });
    this.control();
  }
  async remove(_v: string, kind: string, name: string): Promise<void> {
    this.objects.delete(`${kind}/${name}`);
    this.control();
  }
  async listPods(): Promise<V1Pod[]> {
    return structuredClone(this.pods);
  }
  async annotatePod(name: string, a: Record<string, string>): Promise<void> {
    const p = this.pods.find((x) => x.metadata!.name === name);
    if (p) p.metadata!.annotations = { ...p.metadata!.annotations, ...a };
  }
  /** the Deployment controller, instantly: pods of the current template up to replicas */
  control(): void {
    const deps = [...this.objects.values()].filter((o) => o.kind === 'Deployment');
    this.pods = this.pods.filter((p) => deps.some((d) => d.metadata.name === p.metadata!.labels!['app.kubernetes.io/instance']));
    for (const d of deps) {
      const hash = d.spec.template.metadata.labels['modeldock.io/spec-hash'];
      const mine = () => this.pods.filter((p) => p.metadata!.labels!['app.kubernetes.io/instance'] === d.metadata.name);
      // old-template pods go as new ones come (maxSurge 1)
      for (const old of mine().filter((p) => p.metadata!.labels!['modeldock.io/spec-hash'] !== hash)) this.pods = this.pods.filter((p) => p !== old);
      const cost = (p: V1Pod) => Number(p.metadata!.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0);
      while (mine().length > d.spec.replicas) {
        const victim = [...mine()].sort((a, b) => cost(a) - cost(b))[0]!;
        this.pods = this.pods.filter((p) => p !== victim);
      }
      while (mine().length < d.spec.replicas) {
        const i = ++this.n;
        this.pods.push({
          metadata: {
            name: `${d.metadata.name}-pod${i}`,
            labels: d.spec.template.metadata.labels,
            creationTimestamp: new Date(Date.now() + i) as unknown as Date,
          },
          spec: { nodeName: 'node-a', containers: [] },
          status: {
            phase: 'Pending',
            initContainerStatuses: [{ name: 'fetch-model', ready: false, restartCount: 0, image: '', imageID: '', state: { running: {} } }],
          },
        });
      }
    }
  }
  /** the pod passes its init container and readiness probe */
  ready(name: string): void {
    const p = this.pods.find((x) => x.metadata!.name === name)!;
    p.status = {
      phase: 'Running',
      podIP: '10.0.0.7',
      startTime: new Date(),
      containerStatuses: [{ name: 'instance', ready: true, started: true, restartCount: 0, image: '', imageID: '', state: { running: {} } }],
    };
  }
}

const template = (id: string, extra: Partial<InstanceTemplate> = {}): InstanceTemplate => ({
  instanceId: `relu-1-${id}`,
  serviceName: 'relu',
  versionId: 'ver-1',
  specHash: 'aaaaaaaaaaaaaaaa',
  modelKey: 'models/tiny/v1',
  runtime: 'onnxruntime1.30-node20-cpu',
  env: {},
  resources: { cpuMillicores: 1000, memoryMiB: 512 },
  startupTimeoutMs: 60_000,
  readiness: { path: '/v2/health/ready', periodMs: 1000, timeoutMs: 500, failureThreshold: 3 },
  ...extra,
});

const settings = { namespace: 'ml', image: 'modeldock:test', configMap: 'modeldock-config', secret: 'modeldock-s3', prometheusUrl: 'http://prom:9090' };
let backend: KubernetesBackend | undefined;
afterEach(async () => {
  await backend?.close();
});

describe('KubernetesBackend on a fake cluster', () => {
  it('applies a valid Deployment + Service per version, and reads pods back as instances', async () => {
    const cluster = new FakeCluster();
    backend = new KubernetesBackend({ cluster, settings, pollMs: 20 });
    await backend.start(template('0000000a'));
    await backend.start(template('0000000b'));
    const d = cluster.objects.get('Deployment/relu-v1')!;
    expect(d.spec.replicas).toBe(2);
    expect(cluster.objects.get('Service/relu-v1')).toBeDefined();
    expect(d.spec.template.spec.initContainers[0].args).toContain('models/tiny/v1');
    await eventually(() => backend!.list().length === 2 && backend!.list().every((i) => i.phase === 'Pending'), 5_000, 'Pending while the model is fetched');
    cluster.ready(cluster.pods[0]!.metadata!.name!);
    const ready = await eventually(() => backend!.list().find((i) => i.phase === 'Ready'), 5_000, 'one Ready');
    expect(ready).toMatchObject({ url: 'http://10.0.0.7:8080', node: 'node-a', restarts: 0, specHash: 'aaaaaaaaaaaaaaaa' });
  });

  it('stops the very instance asked for (pod-deletion-cost), and removes the objects with the last one', async () => {
    const cluster = new FakeCluster();
    backend = new KubernetesBackend({ cluster, settings, pollMs: 20 });
    for (const id of ['0000000a', '0000000b', '0000000c']) await backend.start(template(id));
    await eventually(() => backend!.list().every((i) => i.phase === 'Pending') && cluster.pods.length === 3, 5_000);
    await backend.refresh();
    for (const p of cluster.pods) cluster.ready(p.metadata!.name!);
    await eventually(() => backend!.list().filter((i) => i.phase === 'Ready').length === 3, 5_000, 'three Ready');
    const before = new Set(cluster.pods.map((p) => p.metadata!.name));
    await backend.stop('relu-1-0000000b', 1_000);
    expect(cluster.objects.get('Deployment/relu-v1')!.spec.replicas).toBe(2);
    expect(backend.list().map((i) => i.instanceId)).toEqual(['relu-1-0000000a', 'relu-1-0000000c']);
    // the other two instances kept their pods
    expect(cluster.pods.every((p) => before.has(p.metadata!.name))).toBe(true);
    await backend.stop('relu-1-0000000a', 1_000);
    await backend.stop('relu-1-0000000c', 1_000);
    expect([...cluster.objects.keys()]).toEqual([]);
  });

  it('a new spec hash rolls the Deployment; old instances keep old pods until stopped', async () => {
    const cluster = new FakeCluster();
    backend = new KubernetesBackend({ cluster, settings, pollMs: 20 });
    await backend.start(template('0000000a'));
    await backend.start(template('0000000b', { specHash: 'bbbbbbbbbbbbbbbb', env: { ROLLED: '1' } }));
    const d = cluster.objects.get('Deployment/relu-v1')!;
    expect(d.spec.template.metadata.labels['modeldock.io/spec-hash']).toBe('bbbbbbbbbbbbbbbb');
    expect(d.spec.template.spec.containers[0].env).toContainEqual({ name: 'ROLLED', value: '1' });
    await eventually(() => backend!.list().find((i) => i.instanceId === 'relu-1-0000000b' && i.phase === 'Pending') && cluster.pods.length === 2, 5_000);
  });

  it('reads failures: a model fetch that failed, a model that cannot load, a crash loop', async () => {
    const cluster = new FakeCluster();
    backend = new KubernetesBackend({ cluster, settings, pollMs: 20 });
    await backend.start(template('0000000a'));
    const pod = cluster.pods[0]!;
    pod.status = {
      phase: 'Pending',
      initContainerStatuses: [
        {
          name: 'fetch-model',
          ready: false,
          restartCount: 1,
          image: '',
          imageID: '',
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, message: 'OBJECT_NOT_FOUND: no files under "models/tiny/v1"' } },
        },
      ],
    };
    expect((await eventually(() => backend!.list()[0]!.failed, 5_000)) as string).toMatch(/could not fetch the model files: OBJECT_NOT_FOUND/);

    pod.status = {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'instance',
          ready: false,
          restartCount: 1,
          image: '',
          imageID: '',
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 3, message: 'not an ONNX model' } },
        },
      ],
    };
    expect((await eventually(() => /load/.test(backend!.list()[0]!.failed ?? '') && backend!.list()[0]!.failed, 5_000)) as string).toBe(
      'model load failed: not an ONNX model',
    );

    pod.status = {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'instance',
          ready: false,
          restartCount: 6,
          image: '',
          imageID: '',
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
        },
      ],
    };
    const crashed = await eventually(() => backend!.list().find((i) => /crash loop/.test(i.failed ?? '')), 5_000);
    expect(crashed).toMatchObject({ phase: 'Exited', restarts: 6, lastExitReason: 'OOMKilled: killed by signal SIGKILL (exit code 137)' });
  });
});

describe('KubernetesBackend pod logs (fake Log API)', () => {
  it("follows a started pod's container log and hands its lines to onLog as the instance's", async () => {
    const opened: { pod: string; container: string; write(t: string): void }[] = [];
    class LoggingCluster extends FakeCluster {
      async followLogs(pod: string, container: string, _o: { sinceTime?: string }, onChunk: (t: string) => void) {
        opened.push({ pod, container, write: onChunk });
        return { stop: () => undefined, ended: new Promise<void>(() => undefined) };
      }
    }
    const cluster = new LoggingCluster();
    backend = new KubernetesBackend({ cluster, settings, pollMs: 20 });
    const lines: { instanceId: string; line: string; service: string }[] = [];
    backend.onLog((l) => lines.push(l));
    await backend.start(template('0000000a'));
    await eventually(() => cluster.pods.length === 1, 5_000);
    await backend.refresh();
    expect(opened).toEqual([]); // not while the model is fetched: no container log yet
    cluster.ready(cluster.pods[0]!.metadata!.name!);
    await eventually(() => opened.length === 1, 5_000, 'following the pod');
    expect(opened[0]).toMatchObject({ pod: cluster.pods[0]!.metadata!.name, container: 'instance' });
    opened[0]!.write('2026-01-01T00:00:01Z ready on :8080\n');
    expect(lines).toEqual([expect.objectContaining({ instanceId: 'relu-1-0000000a', service: 'relu', line: 'ready on :8080' })]);
  });
});
