/**
 * Batch prediction jobs (TI-ONE 批量预测) as the REST API answers them; shared by API, CLI,
 * console. A job runs one model version over an input in the object store on instances
 * of its own and writes one JSONL line per input next to it, plus a summary.
 */
import type { BillingMode, ResourcesSpec } from './services.js';

/**
 * `Pending`: accepted, waiting to be admitted and started; `Running`: instances started,
 * inputs going through; then one of the three final states.
 */
export const BATCH_STATES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Stopped'] as const;
export type BatchState = (typeof BATCH_STATES)[number];
export const FINAL_BATCH_STATES: readonly BatchState[] = ['Succeeded', 'Failed', 'Stopped'];

/** `images`: a folder, one image per input; `jsonl`: one request body per line; `csv`: one row per input (header names → values). */
export const BATCH_INPUT_FORMATS = ['images', 'jsonl', 'csv'] as const;
export type BatchInputFormat = (typeof BATCH_INPUT_FORMATS)[number];

export interface BatchJobSpec {
  name: string;
  description?: string;
  model: string;
  /** "v1" or 1 */
  modelVersion: string;
  input: { path: string; format?: BatchInputFormat };
  /** object-store folder for the results; default `<input>.<name>.out` beside the input */
  output?: string;
  instances?: number;
  resources?: ResourcesSpec;
  /** dynamic batching inside each instance; on by default */
  batching?: { maxBatchSize: number; maxQueueDelayMs: number };
  /** requests in flight per instance (default 2 × maxBatchSize) */
  concurrency?: number;
  /** images format: this many images per request, the answer split back (default 1) */
  recordsPerRequest?: number;
  /** the share of inputs that may fail before the job fails (default 0.1) */
  maxErrorRatio?: number;
  env?: Record<string, string>;
  billingMode?: BillingMode;
  resourceGroup?: string;
  tags?: Record<string, string>;
}

export interface BatchProgress {
  total: number | null;
  /** inputs with a committed result line (answers and errors) */
  done: number;
  succeeded: number;
  failed: number;
  /** inputs per second over the job's running time */
  ratePerSecond: number | null;
  /** seconds left at that rate */
  etaSeconds: number | null;
  percent: number | null;
}

export interface BatchJob {
  name: string;
  description: string;
  model: string;
  modelVersion: string;
  runtime: string;
  input: { path: string; format: BatchInputFormat };
  output: string;
  instances: number;
  resources: ResourcesSpec;
  batching: { maxBatchSize: number; maxQueueDelayMs: number };
  concurrency: number;
  recordsPerRequest: number;
  maxErrorRatio: number;
  env: Record<string, string>;
  billingMode: BillingMode;
  resourceGroup?: string;
  tags: Record<string, string>;
  state: BatchState;
  reason?: string;
  stopRequested: boolean;
  progress: BatchProgress;
  /** where the results are: result part files and summary.json, under /api/v1/storage/ */
  outputs: { results: string; summary: string };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** One line of a results part file. */
export type BatchResultLine = { input: string; output: unknown } | { input: string; error: { code: string; message: string } };

/** summary.json in the output folder, written when the job ends. */
export interface BatchSummary {
  job: string;
  model: string;
  modelVersion: string;
  state: BatchState;
  reason?: string;
  input: string;
  output: string;
  total: number;
  succeeded: number;
  failed: number;
  /** the result files, in order */
  parts: string[];
  startedAt: string | null;
  finishedAt: string;
  /** running time (across restarts, wall clock from first start) */
  durationMs: number;
  throughputPerSecond: number;
}
