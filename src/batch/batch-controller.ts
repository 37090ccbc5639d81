/**
 * Drives batch jobs from what is stored to what runs (the jobs' reconciler): starts a
 * BatchRun for every Pending job, and for every Running job this process runs nothing
 * for — a job a restart of the platform cut off, which then resumes from its committed
 * parts. Passes stop requests on, ends runs whose job was deleted, and meters the jobs'
 * instances as services' are (billing). reconcile() is idempotent.
 */
import type { ServiceVersionSpec } from '../contracts/services.js';
import type { Logger } from '../log.js';
import type { Billing } from '../billing/billing.js';
import type { BatchRepo } from './batch-repo.js';
import { BatchRun, type BatchRunDeps } from './batch-run.js';
import type { StoredBatchSpec } from './batch-spec.js';
import { BATCH_VERSION_PREFIX, isBatchInstance } from './instance-pool.js';
import { PassLoop } from '../cluster/pass-loop.js';

export interface BatchControllerDeps extends BatchRunDeps {
  billing: Billing;
  periodMs?: number;
}

export class BatchController {
  private readonly loop: PassLoop;
  private readonly runs = new Map<string, BatchRun>();
  /** job id → resources of its instances, for metering */
  private readonly resources = new Map<string, StoredBatchSpec['resources']>();
  private lastMeterAt = Date.now();

  constructor(private readonly deps: BatchControllerDeps) {
    this.loop = new PassLoop(() => this.reconcile(), { periodMs: deps.periodMs ?? 1_000, onError: (e) => deps.log.warn({ err: e }, 'batch reconcile failed') });
    // a pass on every instance change: a short job's instances are metered while they live
    deps.backend.onChange(() => this.kick());
  }

  start(): void {
    this.loop.start();
  }

  /** Look again now (a job was created, stopped or deleted). */
  kick(): void {
    this.loop.kick();
  }

  /** No more passes; runs write what they have and stop their instances, their jobs stay Running (resumed by whoever leads next). */
  async standDown(): Promise<void> {
    await this.loop.stop();
    await Promise.all([...this.runs.values()].map((r) => r.abort()));
    this.runs.clear();
  }

  async reconcile(): Promise<void> {
    const { repo } = this.deps;
    const active = await repo.active();
    const ids = new Set(active.map((j) => j.id));
    for (const [id, run] of this.runs) if (!ids.has(id)) void run.abort();
    for (const j of active) {
      if (!this.loop.isStarted) return;
      const run = this.runs.get(j.id);
      if (j.stop_requested && j.state === 'Pending' && !run) {
        await repo.setState(j.id, { state: 'Stopped', reason: 'stopped before it started', finishedAt: new Date().toISOString() });
        continue;
      }
      if (run) {
        if (j.stop_requested) run.requestStop();
        continue;
      }
      this.resources.set(j.id, (JSON.parse(j.spec) as StoredBatchSpec).resources);
      const next = new BatchRun(j, this.deps);
      this.runs.set(j.id, next);
      if (j.stop_requested) next.requestStop();
      void next.finished.finally(() => {
        if (this.runs.get(j.id) === next) this.runs.delete(j.id);
        this.kick();
      });
    }
    await this.meter();
  }

  /** The jobs' instances, metered under their `batch.<job>` name (billing.meter reads only their resources). */
  private async meter(): Promise<void> {
    const at = Date.now();
    const mine = this.deps.backend.list().filter(isBatchInstance);
    const specOf = (versionId: string) => {
      const r = this.resources.get(versionId.slice(BATCH_VERSION_PREFIX.length));
      return r ? ({ resources: r } as ServiceVersionSpec) : undefined;
    };
    await this.deps.billing.meter(mine, specOf, at - this.lastMeterAt);
    this.lastMeterAt = at;
  }

  /** The runs of this process (tests, shutdown). */
  get active(): string[] {
    return [...this.runs.values()].map((r) => r.name);
  }
}
