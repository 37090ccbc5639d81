/** Batch job rows → the API's BatchJob shape (src/contracts/batch.ts), progress worked out from the counts. */
import type { BatchInputFormat, BatchJob, BatchProgress, BatchState } from '../contracts/batch.js';
import type { BillingMode } from '../contracts/services.js';
import type { JobRow } from './batch-repo.js';
import type { StoredBatchSpec } from './batch-spec.js';

export function progressOf(r: JobRow): BatchProgress {
  const done = r.succeeded + r.failed;
  const runS = Number(r.run_ms) / 1000;
  const rate = runS > 0 && done > 0 ? done / runS : null;
  const left = r.total === null ? null : r.total - done;
  return {
    total: r.total,
    done,
    succeeded: r.succeeded,
    failed: r.failed,
    ratePerSecond: rate === null ? null : Math.round(rate * 100) / 100,
    etaSeconds: rate && left !== null && r.state === 'Running' ? Math.round(left / rate) : r.state === 'Succeeded' ? 0 : null,
    percent: r.total ? Math.round((done / r.total) * 1000) / 10 : null,
  };
}

export function toJob(r: JobRow): BatchJob {
  const s = JSON.parse(r.spec) as StoredBatchSpec;
  return {
    name: r.name,
    description: r.description,
    model: r.model_name,
    modelVersion: `v${r.model_version}`,
    runtime: r.runtime,
    input: { path: r.input_path, format: r.input_format as BatchInputFormat },
    output: r.output_path,
    instances: s.instances,
    resources: s.resources,
    batching: s.batching,
    concurrency: s.concurrency,
    recordsPerRequest: s.recordsPerRequest ?? 1,
    maxErrorRatio: s.maxErrorRatio,
    env: s.env,
    billingMode: r.billing_mode as BillingMode,
    ...(r.resource_group ? { resourceGroup: r.resource_group } : {}),
    tags: s.tags,
    state: r.state as BatchState,
    ...(r.reason ? { reason: r.reason } : {}),
    stopRequested: r.stop_requested === 1,
    progress: progressOf(r),
    outputs: { results: `${r.output_path}/results`, summary: `${r.output_path}/summary.json` },
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}
