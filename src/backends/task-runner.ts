/**
 * The TaskRunner seam: where training task runs execute, beside InstanceBackend for
 * service instances (local child processes now; a Kubernetes Job later). A runner lays
 * out the code and inputs, runs the command, and — when it exits 0 — puts the output
 * folder into the object store before it reports `Succeeded`. Every implementation
 * passes task-runner.contract.ts.
 */
import type { ResourcesSpec } from '../contracts/services.js';

export interface TaskRunTemplate {
  /** unique across the platform */
  runId: string;
  task: string;
  run: number;
  runtime: string;
  /** object-store folder holding the code */
  codePath: string;
  /** run with /bin/sh -c in the code folder */
  command: string;
  /** channel → object-store folder; laid out read-only under the run's input folder */
  inputs: Record<string, string>;
  /** object-store folder the output goes to (cleared first) */
  outputPath: string;
  env: Record<string, string>;
  resources: ResourcesSpec;
  timeoutMs: number;
}

export type RunPhase = 'Starting' | 'Running' | 'Succeeded' | 'Failed' | 'Stopped';

export interface ObservedRun {
  runId: string;
  phase: RunPhase;
  reason?: string;
  exitCode?: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export type RunLogLine = { runId: string; ts: string; stream: 'stdout' | 'stderr' | 'system'; line: string };

export interface TaskRunner {
  readonly name: string;
  /** Starts a run; returns once it is accepted (phase Starting). */
  start(t: TaskRunTemplate): Promise<void>;
  /** Stops a run (SIGTERM, then SIGKILL after graceMs); resolves when it has ended. */
  stop(runId: string, graceMs: number): Promise<void>;
  /** What this runner knows of a run (runs it never started, or forgot after close, are undefined). */
  get(runId: string): ObservedRun | undefined;
  /** Called whenever a run changes phase. */
  onChange(listener: (run: ObservedRun) => void): void;
  /** Called for every line a run writes, and for the runner's own notes (stream `system`). */
  onLog(listener: (line: RunLogLine) => void): void;
  /** Removes what a run left behind when its runner died with it (work folder, pods). */
  discard(runId: string): Promise<void>;
  /** Stops every run. */
  close(): Promise<void>;
}
