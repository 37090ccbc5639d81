/**
 * Every manifest a service version can produce, checked against the Kubernetes schemas
 * (test/support/kubernetes.ts: kubernetes-models + no unknown fields), and read for what
 * an SRE expects in it.
 */
import { describe, expect, it } from 'vitest';
import type { ServiceVersionSpec } from '../../contracts/services.js';
import { validateManifest } from '../../../test/support/kubernetes.js';
import { versionManifests, type Manifest, type ManifestSettings, type VersionInput } from './manifests.js';
import { k8sName } from './names.js';

const settings: ManifestSettings = {
  namespace: 'ml',
  image: 'registry.example.com/modeldock:0.1.0',
  configMap: 'modeldock-config',
  secret: 'modeldock-s3',
  prometheusUrl: 'http://prometheus.monitoring:9090',
};

const version = (spec: Partial<ServiceVersionSpec> = {}, extra: Partial<VersionInput> = {}): VersionInput => ({
  serviceName: 'classify',
  versionSeq: 2,
  versionId: 'b7e1c2d4-0000-4000-8000-000000000002',
  specHash: '3f2a9c0d11e4b5a6',
  model: 'classify',
  modelVersion: 'v1',
  modelKey: 'models/classify/v1',
  runtime: 'torch1.13-py311-cpu',
  spec: { model: 'classify', modelVersion: 'v1', resources: { cpuMillicores: 2000, memoryMiB: 4096 }, scaling: { mode: 'manual', instances: 3 }, ...spec },
  ...extra,
});

const byKind = (ms: Manifest[], kind: string) => ms.find((m) => m.kind === kind) as Manifest & { spec: any };
const container = (d: Manifest & { spec: any }) => d.spec.template.spec.containers[0];

function valid(ms: Manifest[]): string[] {
  return ms.map((m) => validateManifest(m));
}

describe('service version → Kubernetes manifests', () => {
  it('manual scaling: a Deployment with a fixed replica count and a Service, both valid', () => {
    const ms = versionManifests(version(), settings);
    expect(valid(ms)).toEqual(['apps/v1/Deployment', 'v1/Service']);
    const d = byKind(ms, 'Deployment');
    expect(d.metadata).toMatchObject({
      name: 'classify-v2',
      namespace: 'ml',
      labels: { 'app.kubernetes.io/managed-by': 'modeldock', 'modeldock.io/service': 'classify', 'modeldock.io/version': '2' },
    });
    expect(d.metadata.annotations).toMatchObject({ 'modeldock.io/spec-hash': '3f2a9c0d11e4b5a6', 'modeldock.io/model': 'classify:v1' });
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(d.spec.selector.matchLabels).toEqual({ 'modeldock.io/service': 'classify', 'modeldock.io/version': '2' });
    expect(d.spec.template.metadata.labels['modeldock.io/spec-hash']).toBe('3f2a9c0d11e4b5a6');
    const c = container(d);
    expect(c.args).toEqual([
      'instance',
      '--model-dir',
      '/models',
      '--runtime',
      'torch1.13-py311-cpu',
      '--host',
      '0.0.0.0',
      '--port',
      '8080',
      '--model-name',
      'classify',
      '--threads',
      '2',
    ]);
    expect(c.resources).toEqual({ requests: { cpu: '2000m', memory: '4096Mi' }, limits: { cpu: '2000m', memory: '4096Mi' } });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/v2/health/ready', port: 'http' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 });
    expect(c.startupProbe).toMatchObject({ httpGet: { path: '/v2/health/ready', port: 'http' }, periodSeconds: 2, failureThreshold: 60 });
    expect(c.livenessProbe).toBeUndefined();
    const init = d.spec.template.spec.initContainers[0];
    expect(init.args).toEqual(['fetch-blobs', '--prefix', 'models/classify/v1', '--into', '/models']);
    expect(init.envFrom).toEqual([{ configMapRef: { name: 'modeldock-config' } }, { secretRef: { name: 'modeldock-s3', optional: true } }]);
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    const svc = byKind(ms, 'Service');
    expect(svc.spec).toEqual({
      type: 'ClusterIP',
      selector: d.spec.selector.matchLabels,
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    });
  });

  it('probes, env, batching, rolling update and grace period map onto the pod', () => {
    const ms = versionManifests(
      version({
        env: { TI_INFERENCE_NUMS: '2', A_FIRST: 'x' },
        batching: { maxBatchSize: 8, maxQueueDelayMs: 5 },
        probes: {
          readiness: { path: '/ready', periodMs: 1500, timeoutMs: 500, failureThreshold: 2, initialDelayMs: 3000 },
          liveness: { path: '/v2/health/live', periodMs: 10_000 },
        },
        rollingUpdate: { maxSurge: 2, maxUnavailable: 1 },
        terminationGracePeriodMs: 45_000,
        startupTimeoutMs: 600_000,
      }),
      settings,
    );
    valid(ms);
    const d = byKind(ms, 'Deployment');
    const c = container(d);
    expect(c.readinessProbe).toEqual({
      httpGet: { path: '/ready', port: 'http' },
      initialDelaySeconds: 3,
      periodSeconds: 2,
      timeoutSeconds: 1,
      failureThreshold: 2,
    });
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/v2/health/live', port: 'http' }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
    expect(c.startupProbe.failureThreshold).toBe(300);
    expect(c.env.slice(0, 2)).toEqual([
      { name: 'A_FIRST', value: 'x' },
      { name: 'TI_INFERENCE_NUMS', value: '2' },
    ]);
    expect(c.env).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-old-space-size=3072' });
    expect(c.args.slice(-4)).toEqual(['--max-batch-size', '8', '--max-queue-delay-ms', '5']);
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 2, maxUnavailable: 1 });
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(45);
    expect(c.lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
  });

  it('a GPU asks for nvidia.com/gpu and tolerates GPU node taints', () => {
    const ms = versionManifests(version({ resources: { cpuMillicores: 4000, memoryMiB: 16_384, gpu: 1 } }), settings);
    valid(ms);
    const d = byKind(ms, 'Deployment');
    expect(container(d).resources).toEqual({
      requests: { cpu: '4000m', memory: '16384Mi', 'nvidia.com/gpu': '1' },
      limits: { cpu: '4000m', memory: '16384Mi', 'nvidia.com/gpu': '1' },
    });
    expect(d.spec.template.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  it('auto scaling on CPU: an HPA on utilization owns the replica count', () => {
    const ms = versionManifests(
      version({ scaling: { mode: 'auto', minInstances: 2, maxInstances: 10, metric: 'cpu-util', target: 70, scaleDownStabilizationMs: 120_000 } }),
      settings,
    );
    expect(valid(ms)).toEqual(['apps/v1/Deployment', 'v1/Service', 'autoscaling/v2/HorizontalPodAutoscaler']);
    expect(byKind(ms, 'Deployment').spec.replicas).toBeUndefined();
    expect(byKind(ms, 'HorizontalPodAutoscaler').spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'classify-v2' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      behavior: { scaleUp: { stabilizationWindowSeconds: 0 }, scaleDown: { stabilizationWindowSeconds: 120 } },
    });
  });

  it('auto scaling on qps with scale to zero: a KEDA ScaledObject on the gateway metrics', () => {
    const ms = versionManifests(
      version({ scaling: { mode: 'auto', minInstances: 0, maxInstances: 4, metric: 'qps-per-instance', target: 20, idleToZeroMs: 600_000 } }),
      settings,
    );
    expect(valid(ms)).toEqual(['apps/v1/Deployment', 'v1/Service', 'keda.sh/v1alpha1/ScaledObject']);
    const so = byKind(ms, 'ScaledObject');
    expect(so.spec).toMatchObject({ scaleTargetRef: { name: 'classify-v2' }, minReplicaCount: 0, maxReplicaCount: 4, cooldownPeriod: 600 });
    expect(so.spec.triggers).toEqual([
      {
        type: 'prometheus',
        metricType: 'AverageValue',
        metadata: {
          serverAddress: 'http://prometheus.monitoring:9090',
          query: 'sum(rate(modeldock_requests_total{service="classify",version="2"}[1m]))',
          threshold: '20',
          activationThreshold: '0',
        },
      },
    ]);
  });

  it('auto scaling on concurrency: KEDA on the rate of busy seconds (calls in flight)', () => {
    const ms = versionManifests(version({ scaling: { mode: 'auto', minInstances: 1, maxInstances: 8, metric: 'concurrency', target: 4 } }), settings);
    valid(ms);
    expect(byKind(ms, 'ScaledObject').spec.triggers[0].metadata.query).toBe(
      'sum(rate(modeldock_request_duration_seconds_sum{service="classify",version="2"}[1m]))',
    );
  });

  it('the platform backend sets replicas itself: no autoscaler object then', () => {
    const ms = versionManifests(
      version({ scaling: { mode: 'auto', minInstances: 0, maxInstances: 4, metric: 'concurrency', target: 2 } }, { replicas: 1 }),
      settings,
    );
    expect(valid(ms)).toEqual(['apps/v1/Deployment', 'v1/Service']);
    expect(byKind(ms, 'Deployment').spec.replicas).toBe(1);
  });

  it('maps service names that are not DNS labels, without collisions', () => {
    expect(k8sName('classify', 1)).toBe('classify-v1');
    expect(k8sName('My_Model', 3)).toMatch(/^my-model-[0-9a-f]{6}-v3$/);
    expect(k8sName('my-model', 3)).toBe('my-model-v3');
    expect(k8sName('9lives', 1)).toMatch(/^md-9lives-v1$/);
    expect(k8sName('x'.repeat(60), 12).length).toBeLessThanOrEqual(63);
    const ms = versionManifests(version({}, { serviceName: 'My_Model' }), settings);
    valid(ms);
  });

  it('the schema check catches a misspelt field and a wrong type', () => {
    const d = byKind(versionManifests(version(), settings), 'Deployment');
    const typo = structuredClone(d);
    typo.spec.template.spec.containers[0].readinesProbe = typo.spec.template.spec.containers[0].readinessProbe;
    expect(() => validateManifest(typo)).toThrow(/readinesProbe/);
    const wrong = structuredClone(d);
    wrong.spec.replicas = 'three';
    expect(() => validateManifest(wrong)).toThrow(/replicas/);
  });
});
