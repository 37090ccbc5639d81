/** Service resources as the REST API answers them (DESIGN.md §2–§3); shared by API, CLI, console. */
import type { CaptureSpec } from './capture.js';

export const SERVICE_STATES = ['Creating', 'Running', 'Updating', 'Stopping', 'Stopped', 'Failed', 'Deleting'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

export const INSTANCE_PHASES = ['Pending', 'Starting', 'Ready', 'Unhealthy', 'Terminating', 'Exited'] as const;
export type InstancePhase = (typeof INSTANCE_PHASES)[number];

export type BillingMode = 'postpaid' | 'prepaid';
export type ScalingMetric = 'qps-per-instance' | 'concurrency' | 'cpu-util';

export interface ResourcesSpec {
  cpuMillicores: number;
  memoryMiB: number;
  gpu?: number;
}

export type ScalingSpec =
  | { mode: 'manual'; instances: number }
  | {
      mode: 'auto';
      minInstances: number;
      maxInstances: number;
      metric: ScalingMetric;
      target: number;
      scaleUpStabilizationMs?: number;
      scaleDownStabilizationMs?: number;
      /** scale to zero after this long without requests (minInstances 0) */
      idleToZeroMs?: number;
    };

export interface ProbeSpec {
  path: string;
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  failureThreshold: number;
}

export interface ServiceVersionSpec {
  model: string;
  /** "v1", "1" or "latest" on input; stored as the number */
  modelVersion: string;
  resources: ResourcesSpec;
  scaling: ScalingSpec;
  env?: Record<string, string>;
  batching?: { maxBatchSize: number; maxQueueDelayMs: number };
  probes?: { readiness?: Partial<ProbeSpec>; liveness?: Partial<ProbeSpec> };
  rollingUpdate?: { maxSurge: number; maxUnavailable: number };
  limits?: { maxRequestsPerSecond?: number; maxConcurrency?: number };
  /** the version's own log sink, besides the platform's (docs/observability.md#log-sinks) */
  logDelivery?:
    { type: 'off' } | { type: 'file'; path: string } | { type: 'http' | 'loki' | 'otlp'; url: string } | { type: 'elasticsearch'; url: string; index?: string };
  terminationGracePeriodMs?: number;
  startupTimeoutMs?: number;
  /** scheduled scaling (定时扩缩容), with automatic scaling only: the rule that fired last sets the bounds */
  schedules?: ScalingSchedule[];
  /** payload capture (docs/capture.md): a sampled share of calls, bodies and all, to the object store; changes without a restart */
  capture?: CaptureSpec;
}

/** A cron rule: when it fires, the version's autoscaling bounds become its min/max (left out: the scaling spec's). */
export interface ScalingSchedule {
  /** 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first */
  cron: string;
  /** IANA time zone the cron is read in (default UTC), e.g. Asia/Shanghai */
  timeZone?: string;
  minInstances?: number;
  maxInstances?: number;
}

/** Where a version's schedule stands now (GET …/services/{name}: versions[].schedule). */
export interface ScheduleState {
  /** the rule that fired last (1-based), when, and the bounds that apply since */
  active?: { rule: number; firedAt: string; minInstances: number; maxInstances: number };
  /** the next firing of any rule */
  next?: { rule: number; at: string; minInstances: number; maxInstances: number };
}

export interface ServiceVersion {
  id: string;
  /** 1, 2, … within the service */
  seq: number;
  model: string;
  modelVersion: string;
  runtime: string;
  weight: number;
  status: ServiceState;
  reason?: string;
  readyInstances: number;
  desiredInstances: number;
  spec: ServiceVersionSpec;
  /** with schedules: the rule in force and the next firing */
  schedule?: ScheduleState;
  createdAt: string;
}

export interface Service {
  name: string;
  description: string;
  tags: Record<string, string>;
  billingMode: BillingMode;
  resourceGroup?: string;
  auth: boolean;
  status: ServiceState;
  reason?: string;
  versions: ServiceVersion[];
  /** shadow traffic, when set (docs/shadow.md) */
  shadow?: ShadowState;
  url: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Shadow traffic (docs/shadow.md): `percent` of the service's calls are also sent to
 * version `version`, off the caller's path; its answers are counted, never returned.
 */
export interface ShadowSpec {
  /** the version number (seq) that gets the copies */
  version: number;
  /** 0–100: the share of calls copied to it */
  percent: number;
}

/** How a call considered for the shadow ended: compared, failed, or not sent. */
export const SHADOW_OUTCOMES = ['match', 'mismatch', 'uncompared', 'error', 'timeout', 'unreachable', 'skipped', 'dropped'] as const;
export type ShadowOutcome = (typeof SHADOW_OUTCOMES)[number];

/** What this replica's gateway counted for the shadow version since it started (GET service: shadow.stats). */
export interface ShadowStats {
  /** copies sent to the shadow (answered, failed or still in flight) */
  mirrored: number;
  inflight: number;
  /** not sent: the shadow had no ready instance (a scaled-to-zero shadow is not woken) */
  skipped: number;
  /** not sent: over the cap of copies in flight, or over the shadow version's own limits */
  dropped: number;
  /** status ≥ 500, no answer within the request timeout, no connection / a broken answer */
  errors: { status: number; timeout: number; unreachable: number };
  /** answered copies: the shadow's answer equals the primary's (JSON deep-equal, floats within a relative 1e-5), differs, or could not be compared */
  compared: { match: number; mismatch: number; uncompared: number };
  /** the shadow's latency over its last answers (up to 1000) */
  latency: { p50Ms: number | null; p99Ms: number | null; samples: number };
}

export interface ShadowState extends ShadowSpec {
  stats: ShadowStats;
}

export interface Instance {
  id: string;
  service: string;
  versionId: string;
  phase: InstancePhase;
  ready: boolean;
  restarts: number;
  startedAt: string | null;
  node: string;
  lastExitReason?: string;
}

export interface ServiceEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  object: string;
  firstAt: string;
  lastAt: string;
  count: number;
}
