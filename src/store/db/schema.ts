/** The tables as Kysely sees them. Timestamps are ISO-8601 text; JSON is text. */
import type { ColumnType, Generated } from 'kysely';

type BigNum = ColumnType<number, number | bigint, number | bigint>;

export interface ModelsTable {
  id: string;
  name: string;
  description: string;
  next_version: number;
  created_at: string;
  updated_at: string;
}

export interface ModelTagsTable {
  model_id: string;
  key: string;
  value: string;
}

export interface ModelVersionsTable {
  id: string;
  model_id: string;
  number: number;
  status: string;
  error: string | null;
  source_type: string;
  source: string;
  format: string;
  runtime: string;
  /** the runtime name asked for when it was mapped onto `runtime` (a TI-ONE name); else null */
  runtime_requested: string | null;
  metrics: string | null;
  move_mode: string;
  description: string;
  storage_path: string;
  size: BigNum;
  file_count: number;
  created_at: string;
  ready_at: string | null;
}

export interface VersionFilesTable {
  version_id: string;
  path: string;
  size: BigNum;
  sha256: string;
  updated_at: string;
}

/** A lease row: which platform replica runs a singleton loop (reconciler) until when. */
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: BigNum;
}

export interface ServicesTable {
  id: string;
  name: string;
  description: string;
  tags: string;
  billing_mode: string;
  resource_group: string | null;
  auth: number;
  desired: string;
  next_seq: number;
  status: string;
  reason: string | null;
  /** shadow traffic as JSON ({version, percent}), null when none (0012) */
  shadow: string | null;
  created_at: string;
  updated_at: string;
}

export interface ServiceVersionsTable {
  id: string;
  service_id: string;
  seq: number;
  model_name: string;
  model_version: number;
  runtime: string;
  spec: string;
  weight: number;
  desired_instances: number;
  resume_instances: number;
  status: string;
  reason: string | null;
  ready_instances: number;
  created_at: string;
  updated_at: string;
}

export interface InstancesTable {
  id: string;
  version_id: string;
  service_name: string;
  phase: string;
  ready: number;
  restarts: number;
  started_at: string | null;
  node: string;
  url: string | null;
  pid: number | null;
  last_exit_reason: string | null;
  updated_at: string;
}

export interface ServiceTokensTable {
  id: string;
  service_id: string;
  name: string;
  hash: string;
  hint: string;
  enabled: number;
  per_minute: number | null;
  per_day: number | null;
  created_at: string;
  last_used_at: string | null;
}

/** Calls of a service token in one fixed window, summed over replicas (`src/tokens/token-counters-repo.ts`). */
export interface TokenCountersTable {
  token_id: string;
  span: 'minute' | 'day';
  /** ms since the epoch */
  window_start: number;
  count: number;
}

export interface ServiceEventsTable {
  id: string;
  service_id: string;
  type: string;
  reason: string;
  object: string;
  message: string;
  first_at: string;
  last_at: string;
  count: number;
}

export interface ResourceGroupsTable {
  id: string;
  name: string;
  cpu_millicores: number;
  memory_mib: number;
  gpu: number;
  created_at: string;
}

export interface ServiceUsageTable {
  service_name: string;
  day: string;
  instance_seconds: number;
  cpu_core_seconds: number;
  memory_gib_seconds: number;
  gpu_seconds: number;
}

export interface TasksTable {
  id: string;
  name: string;
  description: string;
  runtime: string;
  code: string;
  command: string;
  inputs: string;
  output: string;
  env: string;
  resources: string;
  timeout_ms: number;
  tags: string;
  created_at: string;
  updated_at: string;
}

export interface TaskRunsTable {
  id: string;
  task_id: string;
  run: number;
  stop_requested: number;
  state: string;
  reason: string | null;
  exit_code: number | null;
  output_path: string;
  metrics: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface TaskLogsTable {
  run_id: string;
  seq: number;
  ts: string;
  stream: string;
  line: string;
}

export interface TrafficReportsTable {
  replica: string;
  version_id: string;
  requests: number;
  busy_ms: number;
  holds: number;
  last_request_at: BigNum;
  reported_at: BigNum;
}

export interface ServiceLogsTable {
  id: Generated<number>;
  service: string;
  version: string | null;
  instance_id: string | null;
  stream: string;
  level: string;
  ts: string;
  line: string;
  bytes: number;
}

export interface BatchJobsTable {
  id: string;
  name: string;
  description: string;
  model_name: string;
  model_version: number;
  runtime: string;
  input_path: string;
  input_format: string;
  output_path: string;
  spec: string;
  billing_mode: string;
  resource_group: string | null;
  stop_requested: number;
  state: string;
  reason: string | null;
  total: number | null;
  succeeded: number;
  failed: number;
  run_ms: BigNum;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

export interface BatchJobPartsTable {
  job_id: string;
  part: number;
  keys: string;
  lines: number;
  failed: number;
  created_at: string;
}

/** A progressive rollout: spec (user-owned) and status (system-owned) as JSON, written apart. */
export interface RolloutsTable {
  id: string;
  service_id: string;
  target_version_id: string;
  baseline_version_id: string;
  baseline_seq: number;
  baseline_weight: number;
  /** 1 until it finishes (one active rollout per service) */
  active: number;
  spec: string;
  status: string;
  created_at: string;
  spec_updated_at: string;
  status_updated_at: string;
}

/** The console charts' 10 s buckets, one row per service, replica process and bucket (kept a day) */
export interface MetricBucketsTable {
  service: string;
  replica: string;
  /** ms since the epoch */
  bucket_start: number;
  requests: number;
  errors: number;
  p50_ms: number | null;
  p99_ms: number | null;
  ready_instances: number;
  batches: number;
  batch_rows: number;
}

export interface Database {
  models: ModelsTable;
  model_tags: ModelTagsTable;
  model_versions: ModelVersionsTable;
  version_files: VersionFilesTable;
  leases: LeasesTable;
  services: ServicesTable;
  service_versions: ServiceVersionsTable;
  instances: InstancesTable;
  service_tokens: ServiceTokensTable;
  token_counters: TokenCountersTable;
  service_events: ServiceEventsTable;
  resource_groups: ResourceGroupsTable;
  service_usage: ServiceUsageTable;
  tasks: TasksTable;
  task_runs: TaskRunsTable;
  task_logs: TaskLogsTable;
  traffic_reports: TrafficReportsTable;
  rollouts: RolloutsTable;
  batch_jobs: BatchJobsTable;
  batch_job_parts: BatchJobPartsTable;
  service_logs: ServiceLogsTable;
  metric_buckets: MetricBucketsTable;
}
