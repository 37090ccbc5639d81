/** Task rows → the API's Task and TaskRun shapes (src/contracts/tasks.ts). */
import type { ResourcesSpec } from '../contracts/services.js';
import type { Task, TaskCodeSource, TaskRun, TaskState } from '../contracts/tasks.js';
import type { RunRow, TaskRow } from './tasks-repo.js';

export function toRun(r: RunRow): TaskRun {
  return {
    run: r.run,
    state: r.state as TaskState,
    ...(r.reason ? { reason: r.reason } : {}),
    exitCode: r.exit_code,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outputPath: r.output_path,
    metrics: r.metrics ? (JSON.parse(r.metrics) as Record<string, unknown>) : null,
  };
}

export function toTask(t: TaskRow, latest: RunRow, runs?: RunRow[]): Task {
  const run = toRun(latest);
  return {
    name: t.name,
    description: t.description,
    runtime: t.runtime,
    code: JSON.parse(t.code) as TaskCodeSource & { path: string },
    command: t.command,
    inputs: JSON.parse(t.inputs) as Record<string, string>,
    output: t.output,
    env: JSON.parse(t.env) as Record<string, string>,
    resources: JSON.parse(t.resources) as ResourcesSpec,
    timeoutMs: t.timeout_ms,
    tags: JSON.parse(t.tags) as Record<string, string>,
    state: run.state,
    ...(run.reason ? { reason: run.reason } : {}),
    createdAt: t.created_at,
    updatedAt: t.updated_at,
    latestRun: run,
    ...(runs ? { runs: runs.map(toRun) } : {}),
  };
}
