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
  logDelivery?: { type: 'off' } | { type: 'file'; path: string } | { type: 'http'; url: string };
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
  url: string;
  createdAt: string;
  updatedAt: string;
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
