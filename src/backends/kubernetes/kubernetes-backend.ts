/**
 * InstanceBackend on Kubernetes: each service version is a Deployment (+ a Service) that
 * modeldock applies with server-side apply; the reconciler's instances are its pods.
 *
 * The seam is per instance while a Deployment owns its pods, so the backend keeps a slot
 * per instance the reconciler started: a version's Deployment has as many replicas as it
 * has slots, with the pod template of its newest slot (a new spec hash rolls the pods by
 * the Deployment's own strategy). Pods are matched to slots by spec hash, oldest first;
 * a slot with no pod yet is Pending. Stopping an instance gives its pod the lowest
 * pod-deletion-cost before the replica count drops, so that pod is the one removed.
 * Auto scaling stays with the platform's autoscaler (it sees the gateway's qps and
 * concurrency): the backend sets replicas and applies no HPA / ScaledObject; the exported
 * manifests (services/service-manifests.ts) carry those for clusters that scale themselves.
 *
 * A platform restart keeps the pods: close() stops watching, deletes nothing, and the next
 * leader's slots adopt the pods that match. Instance logs: the leader follows each started
 * pod's container log (pod-logs.ts) and hands the lines to onLog.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { InstanceBackend, InstanceLogLine, InstanceTemplate, ObservedInstance } from '../backend.js';
import type { ServiceVersionSpec } from '../../contracts/services.js';
import type { ClusterApi } from './cluster-api.js';
import { deploymentFor, serviceFor, type ManifestSettings } from './manifests.js';
import { k8sName, LABELS } from './names.js';
import { podView } from './pod-status.js';
import { PodLogs } from './pod-logs.js';

interface Slot {
  t: InstanceTemplate;
  seq: number;
  pod?: string;
  obs: ObservedInstance;
}

export interface KubernetesBackendOptions {
  cluster: ClusterApi;
  settings: ManifestSettings;
  /** how often pods are read back */
  pollMs?: number;
  onError?: (e: unknown) => void;
  /** a pod's log could not be followed (it is retried) */
  onLogError?: (e: unknown) => void;
}

export class KubernetesBackend implements InstanceBackend {
  readonly name = 'kubernetes';
  private readonly slots = new Map<string, Slot>();
  private readonly changeListeners: ((id: string) => void)[] = [];
  private timer?: NodeJS.Timeout;
  private pods: V1Pod[] = [];
  private readonly logListeners: ((l: InstanceLogLine) => void)[] = [];
  private readonly podLogs?: PodLogs;

  constructor(private readonly opts: KubernetesBackendOptions) {
    this.timer = setInterval(() => void this.refresh().catch((e) => this.opts.onError?.(e)), opts.pollMs ?? 2_000);
    this.timer.unref();
    const { cluster } = opts;
    if (cluster.followLogs) {
      const followLogs = cluster.followLogs.bind(cluster);
      this.podLogs = new PodLogs({ followLogs }, (l) => this.logListeners.forEach((fn) => fn(l)), { onError: opts.onLogError });
    }
  }

  onChange(l: (id: string) => void): void {
    this.changeListeners.push(l);
  }

  onLog(l: (line: InstanceLogLine) => void): void {
    this.logListeners.push(l);
  }

  list(): ObservedInstance[] {
    return [...this.slots.values()].map((s) => ({ ...s.obs }));
  }

  async start(t: InstanceTemplate): Promise<void> {
    if (this.slots.has(t.instanceId)) return;
    const slot: Slot = {
      t,
      seq: versionSeq(t),
      obs: {
        instanceId: t.instanceId,
        serviceName: t.serviceName,
        versionId: t.versionId,
        specHash: t.specHash,
        phase: 'Pending',
        node: '',
        startedAt: null,
        restarts: 0,
      },
    };
    this.slots.set(t.instanceId, slot);
    await this.sync(t.versionId);
    this.emit(t.instanceId);
  }

  async stop(instanceId: string, graceMs: number): Promise<void> {
    const slot = this.slots.get(instanceId);
    if (!slot) return;
    slot.obs = { ...slot.obs, phase: 'Terminating' };
    this.emit(instanceId);
    if (slot.pod) await this.opts.cluster.annotatePod(slot.pod, { 'controller.kubernetes.io/pod-deletion-cost': '-1000' });
    this.slots.delete(instanceId);
    await this.sync(slot.t.versionId, slot);
    // resolves once its pod is gone (or the grace period and a margin have passed)
    const until = Date.now() + graceMs + 30_000;
    while (slot.pod && Date.now() < until) {
      await this.refresh();
      if (!this.pods.some((p) => p.metadata?.name === slot.pod)) break;
      await new Promise((r) => setTimeout(r, Math.min(1_000, this.opts.pollMs ?? 2_000)));
    }
    this.emit(instanceId);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.podLogs?.close();
  }

  /** Applies a version's Deployment and Service for its slots; removes them with the last slot. */
  private async sync(versionId: string, gone?: Slot): Promise<void> {
    const mine = [...this.slots.values()].filter((s) => s.t.versionId === versionId);
    const { cluster, settings } = this.opts;
    if (!mine.length) {
      if (!gone) return;
      const name = k8sName(gone.t.serviceName, gone.seq);
      await cluster.remove('apps/v1', 'Deployment', name);
      await cluster.remove('v1', 'Service', name);
      return;
    }
    const newest = mine.at(-1)!;
    const input = { ...versionInput(newest), replicas: mine.length };
    await cluster.apply(deploymentFor(input, settings));
    await cluster.apply(serviceFor(input, settings));
  }

  /** Reads the pods back and matches them to slots. */
  async refresh(): Promise<void> {
    this.pods = await this.opts.cluster.listPods(`${LABELS.managedBy}=modeldock`);
    const byName = new Map(this.pods.map((p) => [p.metadata!.name!, p]));
    const taken = new Set<string>();
    for (const s of this.slots.values()) {
      if (s.pod && byName.has(s.pod)) taken.add(s.pod);
      else s.pod = undefined;
    }
    const candidates = this.pods
      .filter((p) => !p.metadata?.deletionTimestamp)
      .sort((a, b) => String(a.metadata?.creationTimestamp ?? '').localeCompare(String(b.metadata?.creationTimestamp ?? '')));
    for (const s of this.slots.values()) {
      if (s.pod) continue;
      const labels = (p: V1Pod) => p.metadata?.labels ?? {};
      const pod = candidates.find(
        (p) => !taken.has(p.metadata!.name!) && labels(p)[LABELS.specHash] === s.t.specHash && labels(p)[LABELS.instance] === k8sName(s.t.serviceName, s.seq),
      );
      if (pod) {
        s.pod = pod.metadata!.name!;
        taken.add(s.pod);
      }
    }
    for (const s of this.slots.values()) {
      if (s.obs.phase === 'Terminating') continue;
      const pod = s.pod ? byName.get(s.pod) : undefined;
      const next: ObservedInstance = pod
        ? { instanceId: s.t.instanceId, serviceName: s.t.serviceName, versionId: s.t.versionId, specHash: s.t.specHash, ...podView(pod) }
        : { ...s.obs, phase: 'Pending', url: undefined };
      if (JSON.stringify(next) !== JSON.stringify(s.obs)) {
        s.obs = next;
        this.emit(s.t.instanceId);
      }
    }
    // a container that has started has a log to follow
    this.podLogs?.sync(
      [...this.slots.values()]
        .filter((s) => s.pod && s.obs.phase !== 'Pending' && s.obs.phase !== 'Terminating')
        .map((s) => ({ pod: s.pod!, instanceId: s.t.instanceId, service: s.t.serviceName })),
    );
  }

  private emit(id: string): void {
    for (const l of this.changeListeners) l(id);
  }
}

/** The reconciler names instances `<service>-<seq>-<random>`. */
function versionSeq(t: InstanceTemplate): number {
  const m = /-(\d+)-[0-9a-f]{8}$/.exec(t.instanceId);
  return m ? Number(m[1]) : 0;
}

function versionInput(s: Slot) {
  const { t } = s;
  const spec: ServiceVersionSpec = {
    model: '',
    modelVersion: '',
    resources: t.resources,
    scaling: { mode: 'manual', instances: 0 },
    env: t.env,
    ...(t.batching ? { batching: t.batching } : {}),
    probes: { readiness: t.readiness, ...(t.liveness ? { liveness: t.liveness } : {}) },
    startupTimeoutMs: t.startupTimeoutMs,
  };
  return {
    serviceName: t.serviceName,
    versionSeq: s.seq,
    versionId: t.versionId,
    specHash: t.specHash,
    model: t.modelKey,
    modelVersion: '',
    modelKey: t.modelKey,
    runtime: t.runtime,
    spec,
  };
}
