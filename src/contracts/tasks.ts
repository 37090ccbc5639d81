/** Training tasks as the REST API answers them (DESIGN.md §2–§3); shared by API, CLI, console. */
import type { ResourcesSpec } from './services.js';

/**
 * A task's state is the state of its latest run. `Pending`: accepted, waiting for the
 * runner; `Starting`: code and inputs being laid out, process starting; `Running`;
 * then one of the three final states.
 */
export const TASK_STATES = ['Pending', 'Starting', 'Running', 'Succeeded', 'Failed', 'Stopped'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const FINAL_TASK_STATES: readonly TaskState[] = ['Succeeded', 'Failed', 'Stopped'];

/** Where a task's code comes from. Uploads use multipart (`spec` field + files or one zip). */
export type TaskCodeSource = { type: 'example'; name: string } | { type: 'storage'; path: string } | { type: 'upload' };

export interface TaskSpec {
  name: string;
  description?: string;
  /** a runtime environment id from /api/v1/runtimes (python or node kind) */
  runtime: string;
  code: TaskCodeSource;
  /** run with /bin/sh -c in the code folder; `python`/`python3` resolve to the runtime's interpreter */
  command: string;
  /** input channel name → object-store path (a folder prefix), e.g. {"mnist": "datasets/mnist/"} */
  inputs?: Record<string, string>;
  /** object-store folder the runs' outputs go under; default `tasks/<name>/` */
  output?: string;
  env?: Record<string, string>;
  resources?: ResourcesSpec;
  /** a run is stopped (Failed, reason timeout) after this long; default 1 hour */
  timeoutMs?: number;
  tags?: Record<string, string>;
}

export interface TaskRun {
  /** 1, 2, … within the task */
  run: number;
  state: TaskState;
  reason?: string;
  exitCode?: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** object-store folder holding this run's output, e.g. `tasks/mnist_train/run-1/` */
  outputPath: string;
  /** metrics.json from the output, when the script wrote one */
  metrics: Record<string, unknown> | null;
}

export interface Task {
  name: string;
  description: string;
  runtime: string;
  code: TaskCodeSource & { path: string };
  command: string;
  inputs: Record<string, string>;
  output: string;
  env: Record<string, string>;
  resources: ResourcesSpec;
  timeoutMs: number;
  tags: Record<string, string>;
  /** the latest run's state */
  state: TaskState;
  reason?: string;
  createdAt: string;
  updatedAt: string;
  latestRun: TaskRun;
  runs?: TaskRun[];
}

export interface TaskLogLine {
  seq: number;
  ts: string;
  run: number;
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
}

/** GET /api/v1/tasks/{name}/outputs: the files a run wrote to its output folder */
export interface TaskRunOutputs {
  run: number;
  state: TaskState;
  path: string;
  /** storagePath: the key to download it by, under /api/v1/storage/ */
  items: { path: string; size: number; storagePath: string }[];
}

/** POST /api/v1/tasks/{name}/actions */
export type TaskAction = { action: 'stop' } | { action: 'restart' };

export interface TaskExample {
  name: string;
  description: string;
  runtime: string;
  command: string;
  inputs: Record<string, string>;
}
