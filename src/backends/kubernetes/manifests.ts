/**
 * Kubernetes manifests for one service version, as pure functions: a Deployment (the
 * instances), a Service (a stable in-cluster address), and for auto scaling a
 * HorizontalPodAutoscaler (cpu-util) or a KEDA ScaledObject (qps / concurrency, and scale
 * to zero). The Kubernetes backend applies these; `modeldock services manifests` prints
 * them for review or GitOps. No API calls here.
 *
 * The pod: an init container fetches the model version's files from the blob store into
 * an emptyDir (`modeldock fetch-blobs`), then the main container serves them with
 * `modeldock instance`. Both read the blob settings (MODELDOCK_BLOB_URL, MODELDOCK_S3_*)
 * from the platform's ConfigMap and the S3 credentials from its Secret.
 */
import type { ProbeSpec, ServiceVersionSpec } from '../../contracts/services.js';
import { k8sName, labelsFor, selectorFor, ANNOTATIONS, LABELS } from './names.js';

export const INSTANCE_PORT = 8080;
const MODEL_DIR = '/models';

export interface ManifestSettings {
  namespace: string;
  /** the modeldock image (its entrypoint runs bin/modeldock.js) */
  image: string;
  /** ConfigMap with MODELDOCK_BLOB_URL and MODELDOCK_S3_* (envFrom) */
  configMap: string;
  /** Secret with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (envFrom, optional) */
  secret: string;
  /** Prometheus that scrapes the platform's /metrics (KEDA triggers query it) */
  prometheusUrl: string;
}

export interface VersionInput {
  serviceName: string;
  /** 1, 2, … within the service: names read `<service>-v<seq>` */
  versionSeq: number;
  versionId: string;
  specHash: string;
  model: string;
  modelVersion: string;
  /** the model version's files: a blob-store key prefix */
  modelKey: string;
  runtime: string;
  spec: ServiceVersionSpec;
  /** set when the platform's reconciler decides the count; otherwise manual → instances, auto → the autoscaler */
  replicas?: number;
}

type Obj = Record<string, unknown>;
export interface Manifest extends Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
}

const seconds = (ms: number, min = 1) => Math.max(min, Math.ceil(ms / 1000));

/** Everything for one version, in apply order. */
export function versionManifests(v: VersionInput, s: ManifestSettings): Manifest[] {
  const out: Manifest[] = [deploymentFor(v, s), serviceFor(v, s)];
  const scaler = v.replicas === undefined ? autoscalerFor(v, s) : undefined;
  if (scaler) out.push(scaler);
  return out;
}

export function deploymentFor(v: VersionInput, s: ManifestSettings): Manifest {
  const { spec } = v;
  const name = k8sName(v.serviceName, v.versionSeq);
  const replicas = v.replicas ?? (spec.scaling.mode === 'manual' ? spec.scaling.instances : undefined);
  const rolling = spec.rollingUpdate ?? { maxSurge: 1, maxUnavailable: 0 };
  const strategy = rolling.maxSurge === 0 && rolling.maxUnavailable === 0 ? { maxSurge: 1, maxUnavailable: 0 } : rolling;
  const startupMs = spec.startupTimeoutMs ?? 120_000;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: s.namespace, labels: labelsFor(v), annotations: annotationsFor(v) },
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      revisionHistoryLimit: 3,
      progressDeadlineSeconds: seconds(startupMs) + 120,
      selector: { matchLabels: selectorFor(v) },
      strategy: { type: 'RollingUpdate', rollingUpdate: strategy },
      template: {
        metadata: {
          labels: { ...labelsFor(v), [LABELS.specHash]: v.specHash },
          annotations: { [ANNOTATIONS.specHash]: v.specHash, [ANNOTATIONS.model]: modelRef(v) },
        },
        spec: podSpec(v, s),
      },
    },
  };
}

function podSpec(v: VersionInput, s: ManifestSettings): Obj {
  const { spec } = v;
  const gpu = spec.resources.gpu ?? 0;
  const graceMs = spec.terminationGracePeriodMs ?? 30_000;
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: seconds(graceMs, 0),
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    ...(gpu > 0 ? { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] } : {}),
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorFor(v) } },
    ],
    initContainers: [
      {
        name: 'fetch-model',
        image: s.image,
        imagePullPolicy: 'IfNotPresent',
        args: ['fetch-blobs', '--prefix', v.modelKey, '--into', MODEL_DIR],
        envFrom: blobEnv(s),
        // a failure's last log lines become the status message the backend shows
        terminationMessagePolicy: 'FallbackToLogsOnError',
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        securityContext: containerSecurity(),
        volumeMounts: [
          { name: 'model', mountPath: MODEL_DIR },
          { name: 'tmp', mountPath: '/tmp' },
        ],
      },
    ],
    containers: [
      {
        name: 'instance',
        image: s.image,
        imagePullPolicy: 'IfNotPresent',
        args: instanceArgs(v),
        ports: [{ name: 'http', containerPort: INSTANCE_PORT, protocol: 'TCP' }],
        env: envFor(v),
        terminationMessagePolicy: 'FallbackToLogsOnError',
        resources: resourcesFor(spec),
        startupProbe: probe(readinessOf(spec), {
          periodMs: 2_000,
          failureThreshold: Math.max(1, Math.ceil((spec.startupTimeoutMs ?? 120_000) / 2_000)),
          initialDelayMs: 0,
        }),
        readinessProbe: probe(readinessOf(spec)),
        ...(spec.probes?.liveness ? { livenessProbe: probe(livenessOf(spec)) } : {}),
        // let the gateway and endpoints stop sending before SIGTERM
        ...(graceMs > 5_000 ? { lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } } } : {}),
        securityContext: containerSecurity(),
        volumeMounts: [
          { name: 'model', mountPath: MODEL_DIR, readOnly: true },
          { name: 'tmp', mountPath: '/tmp' },
        ],
      },
    ],
    volumes: [
      { name: 'model', emptyDir: {} },
      { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
    ],
  };
}

function instanceArgs(v: VersionInput): string[] {
  const { spec } = v;
  return [
    'instance',
    '--model-dir',
    MODEL_DIR,
    '--runtime',
    v.runtime,
    '--host',
    '0.0.0.0',
    '--port',
    String(INSTANCE_PORT),
    '--model-name',
    v.serviceName,
    '--threads',
    String(Math.max(1, Math.floor(spec.resources.cpuMillicores / 1000))),
    ...(spec.batching ? ['--max-batch-size', String(spec.batching.maxBatchSize), '--max-queue-delay-ms', String(spec.batching.maxQueueDelayMs)] : []),
  ];
}

function envFor(v: VersionInput): Obj[] {
  const heapMiB = Math.max(64, Math.floor(v.spec.resources.memoryMiB * 0.75));
  const user = Object.entries(v.spec.env ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
  return [
    ...user,
    { name: 'MODELDOCK_INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'NODE_OPTIONS', value: `--max-old-space-size=${heapMiB}` },
    { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
  ];
}

/** Requests = limits (Guaranteed QoS): an instance gets exactly what the service is billed for. */
export function resourcesFor(spec: ServiceVersionSpec): Obj {
  const r = spec.resources;
  const base = { cpu: `${r.cpuMillicores}m`, memory: `${r.memoryMiB}Mi` };
  const gpu = r.gpu ? { 'nvidia.com/gpu': String(r.gpu) } : {};
  return { requests: { ...base, ...gpu }, limits: { ...base, ...gpu } };
}

function readinessOf(spec: ServiceVersionSpec): ProbeSpec {
  const p = spec.probes?.readiness ?? {};
  return {
    path: p.path ?? '/v2/health/ready',
    initialDelayMs: p.initialDelayMs ?? 0,
    periodMs: p.periodMs ?? 5_000,
    timeoutMs: p.timeoutMs ?? 2_000,
    failureThreshold: p.failureThreshold ?? 3,
  };
}

function livenessOf(spec: ServiceVersionSpec): ProbeSpec {
  const p = spec.probes?.liveness ?? {};
  return {
    path: p.path ?? '/v2/health/live',
    initialDelayMs: p.initialDelayMs ?? 0,
    periodMs: p.periodMs ?? 10_000,
    timeoutMs: p.timeoutMs ?? 2_000,
    failureThreshold: p.failureThreshold ?? 3,
  };
}

function probe(p: ProbeSpec, over: Partial<ProbeSpec> = {}): Obj {
  const q = { ...p, ...over };
  return {
    httpGet: { path: q.path, port: 'http' },
    ...(q.initialDelayMs ? { initialDelaySeconds: seconds(q.initialDelayMs, 0) } : {}),
    periodSeconds: seconds(q.periodMs),
    timeoutSeconds: seconds(q.timeoutMs),
    failureThreshold: Math.ceil(q.failureThreshold),
  };
}

function containerSecurity(): Obj {
  return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
}

function blobEnv(s: ManifestSettings): Obj[] {
  return [{ configMapRef: { name: s.configMap } }, { secretRef: { name: s.secret, optional: true } }];
}

const modelRef = (v: VersionInput) => (v.modelVersion ? `${v.model}:${v.modelVersion}` : v.model);

function annotationsFor(v: VersionInput): Record<string, string> {
  return { [ANNOTATIONS.specHash]: v.specHash, [ANNOTATIONS.model]: modelRef(v), [ANNOTATIONS.versionId]: v.versionId };
}

export function serviceFor(v: VersionInput, s: ManifestSettings): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: k8sName(v.serviceName, v.versionSeq), namespace: s.namespace, labels: labelsFor(v), annotations: annotationsFor(v) },
    spec: { type: 'ClusterIP', selector: selectorFor(v), ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  };
}

/**
 * cpu-util → HPA (CPU cannot wake a Deployment from zero, so its floor is one instance);
 * qps-per-instance / concurrency → a KEDA ScaledObject on the gateway's metrics, which can
 * go to zero and back.
 */
export function autoscalerFor(v: VersionInput, s: ManifestSettings): Manifest | undefined {
  const sc = v.spec.scaling;
  if (sc.mode !== 'auto') return undefined;
  const name = k8sName(v.serviceName, v.versionSeq);
  const metadata = { name, namespace: s.namespace, labels: labelsFor(v), annotations: annotationsFor(v) };
  const up = seconds(sc.scaleUpStabilizationMs ?? 0, 0);
  const down = seconds(sc.scaleDownStabilizationMs ?? 300_000, 0);
  if (sc.metric === 'cpu-util') {
    return {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: Math.max(1, sc.minInstances),
        maxReplicas: sc.maxInstances,
        // the target is a percentage of the CPU each instance asked for
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: Math.round(sc.target) } } }],
        behavior: { scaleUp: { stabilizationWindowSeconds: up }, scaleDown: { stabilizationWindowSeconds: down } },
      },
    };
  }
  const sel = `service="${v.serviceName}",version="${v.versionSeq}"`;
  const trigger = {
    type: 'prometheus',
    metricType: 'AverageValue',
    metadata: {
      serverAddress: s.prometheusUrl,
      // calls per second through the gateway, or calls in flight (Little's law: the rate of busy seconds)
      query:
        sc.metric === 'qps-per-instance' ? `sum(rate(modeldock_requests_total{${sel}}[1m]))` : `sum(rate(modeldock_request_duration_seconds_sum{${sel}}[1m]))`,
      threshold: String(sc.target),
      activationThreshold: '0',
    },
  };
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicaCount: sc.minInstances,
      maxReplicaCount: sc.maxInstances,
      pollingInterval: 15,
      cooldownPeriod: seconds(sc.idleToZeroMs ?? 300_000),
      advanced: {
        horizontalPodAutoscalerConfig: { behavior: { scaleUp: { stabilizationWindowSeconds: up }, scaleDown: { stabilizationWindowSeconds: down } } },
      },
      triggers: [trigger],
    },
  };
}
