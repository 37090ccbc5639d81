/**
 * The InstanceBackend seam: where service instances run. Implementations: local child
 * processes (default), Kubernetes (later). The reconciler asks for instances to start and
 * stop and reads back what is running; it never reaches into a backend's internals.
 * Every implementation passes backend.contract.ts.
 */
import type { InstancePhase, ResourcesSpec } from '../contracts/services.js';

export interface InstanceTemplate {
  instanceId: string;
  serviceName: string;
  versionId: string;
  /** a hash of everything that shapes the instance; differing hashes mean "replace" */
  specHash: string;
  /** the model version's files: a blob-store key prefix */
  modelKey: string;
  runtime: string;
  /** the Python interpreter for the Python runtime (a version's own environment); default the platform's */
  python?: string;
  env: Record<string, string>;
  resources: ResourcesSpec;
  batching?: { maxBatchSize: number; maxQueueDelayMs: number };
  startupTimeoutMs: number;
  readiness: Probe;
  /** when set, an instance failing it `failureThreshold` times in a row is restarted */
  liveness?: Probe;
}

export interface Probe {
  path: string;
  initialDelayMs?: number;
  periodMs: number;
  timeoutMs: number;
  failureThreshold: number;
}

export interface ObservedInstance {
  instanceId: string;
  serviceName: string;
  versionId: string;
  specHash: string;
  phase: InstancePhase;
  /** set once the instance listens */
  url?: string;
  pid?: number;
  node: string;
  startedAt: string | null;
  restarts: number;
  lastExitReason?: string;
  /** CPU used over the last probe period as a fraction of cpuMillicores (1 = all it asked for) */
  cpuUtil?: number;
  /** the instance failed in a way restarting will not fix (load error, crash loop) */
  failed?: string;
}

export type InstanceLogLine = { ts: string; service: string; instanceId: string; stream: 'stdout' | 'stderr'; line: string };

export interface InstanceBackend {
  readonly name: string;
  /** Starts an instance; returns once it is launched (phase Starting), not when ready. */
  start(t: InstanceTemplate): Promise<void>;
  /** Stops an instance gracefully (drain, then kill after graceMs). Resolves when it is gone. */
  stop(instanceId: string, graceMs: number): Promise<void>;
  /** What runs now, as observed. */
  list(): ObservedInstance[];
  /** Called whenever an instance changes phase. */
  onChange(listener: (instanceId: string) => void): void;
  /** Called for every log line an instance writes. */
  onLog(listener: (line: InstanceLogLine) => void): void;
  /** Stops every instance. */
  close(): Promise<void>;
}
