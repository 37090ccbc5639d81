/**
 * Drives task runs from what is stored to what runs (the tasks' reconciler): starts
 * Pending runs on the TaskRunner (at most `maxConcurrentRuns` at once), passes stop
 * requests on, writes what the runner observes back as run state, and keeps the runs'
 * log lines. A run the runner does not know of after a restart was cut off with the
 * platform: it becomes Failed with that reason. reconcile() is idempotent.
 */
import type { TaskRunner, ObservedRun, RunLogLine } from '../backends/task-runner.js';
import type { TaskState } from '../contracts/tasks.js';
import type { Logger } from '../log.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import { isFinal } from './states.js';
import type { RunRow, TasksRepo } from './tasks-repo.js';

const MAX_LOG_LINES_PER_RUN = 50_000;
const MAX_METRICS_BYTES = 64 * 1024;

export interface TaskControllerDeps {
  repo: TasksRepo;
  runner: TaskRunner;
  blobs: BlobStore;
  log: Logger;
  periodMs?: number;
  maxConcurrentRuns?: number;
  stopGraceMs?: number;
}

export class TaskController {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;
  /** reconcile passes run only between start() and stop/standDown: on the replica that holds the lease */
  private started = false;
  /** runs whose stop was passed to the runner */
  private readonly stopping = new Set<string>();
  /** runner events are applied one at a time, in order */
  private chain: Promise<void> = Promise.resolve();
  private readonly pending: { run_id: string; seq: number; ts: string; stream: string; line: string }[] = [];
  private readonly seqs = new Map<string, number>();
  private flushTimer?: NodeJS.Timeout;
  /** log writes, one after another: lines are stored in seq order, so a reader's cursor skips none */
  private flushing: Promise<void> = Promise.resolve();
  private current?: Promise<void>;

  constructor(private readonly deps: TaskControllerDeps) {
    deps.runner.onChange((o) => this.enqueue(() => this.observe(o)));
    deps.runner.onLog((l) => this.acceptLog(l));
  }

  start(): void {
    this.stopped = false;
    this.started = true;
    this.schedule(0);
  }

  /** Look again now (a task was created, stopped or restarted). */
  kick(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.started = false;
    clearTimeout(this.timer);
    await this.current;
    await this.deps.runner.close();
    await this.chain;
    await this.flushLogs();
  }

  /**
   * This replica no longer leads: no more passes, and the runs it started are stopped
   * (the new leader finds them ended, or marks them interrupted).
   */
  async standDown(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    await this.current;
    const mine = (await this.deps.repo.activeRuns()).filter((r) => this.deps.runner.get(r.id));
    await Promise.all(mine.map((r) => this.deps.runner.stop(r.id, 5_000)));
    await this.chain;
    await this.flushLogs();
  }

  /** Waits for queued runner events and log lines to be stored (tests, shutdown). */
  async settled(): Promise<void> {
    await this.chain;
    await this.flushLogs();
  }

  private schedule(ms: number): void {
    if (this.stopped || !this.started) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      this.current = this.reconcile();
      await this.current;
    } catch (e) {
      this.deps.log.warn({ err: e }, 'task reconcile failed');
    } finally {
      this.running = false;
      const again = this.again;
      this.again = false;
      this.schedule(again ? 0 : (this.deps.periodMs ?? 1_000));
    }
  }

  async reconcile(): Promise<void> {
    const { repo, runner } = this.deps;
    const active = await repo.activeRuns();
    let busy = active.filter((r) => r.state !== 'Pending').length;
    const max = this.deps.maxConcurrentRuns ?? 2;
    for (const r of active) {
      if (this.stopped) return;
      const seen = runner.get(r.id);
      if (r.state === 'Pending') {
        if (r.stop_requested) await this.setState(r.id, { state: 'Stopped', reason: 'stopped before it started', finishedAt: now() });
        else if (busy < max) {
          busy++;
          await this.launch(r);
        } else {
          const reason = `waiting: ${busy} runs are going, at most ${max} at once`;
          if (r.reason !== reason) await this.setState(r.id, { state: 'Pending', reason });
        }
        continue;
      }
      if (!seen) {
        await this.setState(r.id, { state: 'Failed', reason: `interrupted: the platform stopped while the run was ${r.state}`, finishedAt: now() });
        await runner.discard(r.id).catch(() => undefined);
        continue;
      }
      if (r.stop_requested && !this.stopping.has(r.id) && !isFinal(seen.phase as TaskState)) {
        this.stopping.add(r.id);
        void runner.stop(r.id, this.deps.stopGraceMs ?? 10_000).finally(() => this.stopping.delete(r.id));
      }
    }
  }

  private async launch(r: RunRow): Promise<void> {
    const task = await this.deps.repo.byId(r.task_id);
    if (!task) return;
    if (!(await this.setState(r.id, { state: 'Starting', reason: null }))) return;
    this.seqs.set(r.id, await this.deps.repo.lastLogSeq(r.id));
    const code = JSON.parse(task.code) as { path: string };
    await this.deps.runner.start({
      runId: r.id,
      task: task.name,
      run: r.run,
      runtime: task.runtime,
      codePath: code.path,
      command: task.command,
      inputs: JSON.parse(task.inputs) as Record<string, string>,
      outputPath: r.output_path,
      env: JSON.parse(task.env) as Record<string, string>,
      resources: JSON.parse(task.resources) as { cpuMillicores: number; memoryMiB: number },
      timeoutMs: task.timeout_ms,
    });
  }

  private enqueue(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((e) => this.deps.log.warn({ err: e }, 'task state update failed'));
  }

  private async observe(o: ObservedRun): Promise<void> {
    if (o.phase === 'Starting') return;
    if (o.phase === 'Running') {
      await this.setState(o.runId, { state: 'Running', startedAt: o.startedAt });
      return;
    }
    // The run ended: its last lines are stored before its state says so.
    await this.flushLogs();
    const metrics = o.phase === 'Succeeded' ? await this.readMetrics(o.runId) : null;
    await this.setState(o.runId, {
      state: o.phase,
      reason: o.reason ?? null,
      exitCode: o.exitCode ?? null,
      startedAt: o.startedAt,
      finishedAt: o.finishedAt ?? now(),
      metrics,
    });
    this.deps.log.info({ run: o.runId, state: o.phase, reason: o.reason }, 'task run ended');
  }

  /** metrics.json from the run's output, when it is a JSON object of reasonable size. */
  private async readMetrics(runId: string): Promise<string | null> {
    const r = await this.deps.repo.runById(runId);
    if (!r) return null;
    const key = `${r.output_path}/metrics.json`;
    const info = await this.deps.blobs.stat(key);
    if (!info) return null;
    const note = (line: string) => this.acceptLog({ runId, ts: now(), stream: 'system', line });
    if (info.size > MAX_METRICS_BYTES) {
      note(`metrics.json is ${info.size} bytes, over ${MAX_METRICS_BYTES}; not recorded as the run's metrics`);
      return null;
    }
    try {
      const v: unknown = JSON.parse((await this.deps.blobs.read(key)).toString('utf8'));
      if (v && typeof v === 'object' && !Array.isArray(v)) return JSON.stringify(v);
    } catch {
      /* reported below */
    }
    note("metrics.json is not a JSON object; not recorded as the run's metrics");
    await this.flushLogs();
    return null;
  }

  private async setState(runId: string, s: Parameters<TasksRepo['setState']>[1]): Promise<boolean> {
    return this.deps.repo.setState(runId, s);
  }

  private acceptLog(l: RunLogLine): void {
    const seq = (this.seqs.get(l.runId) ?? 0) + 1;
    if (seq > MAX_LOG_LINES_PER_RUN + 1) return;
    this.seqs.set(l.runId, seq);
    const line = seq === MAX_LOG_LINES_PER_RUN + 1 ? `log truncated: a run keeps at most ${MAX_LOG_LINES_PER_RUN} lines` : l.line;
    this.pending.push({ run_id: l.runId, seq, ts: l.ts, stream: seq === MAX_LOG_LINES_PER_RUN + 1 ? 'system' : l.stream, line });
    if (this.pending.length >= 500) void this.flushLogs();
    else this.flushTimer ??= setTimeout(() => void this.flushLogs(), 200);
  }

  /**
   * Stores the pending lines. Writes never overlap: a second flush that started while the
   * first was still writing its chunks could store later lines first, and a reader
   * following with `after=<last seq seen>` would then skip the earlier ones for good.
   */
  private flushLogs(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushing = this.flushing.then(async () => {
      const batch = this.pending.splice(0);
      for (let i = 0; i < batch.length; i += 200) {
        await this.deps.repo.appendLogs(batch.slice(i, i + 200)).catch((e) => this.deps.log.warn({ err: e }, 'storing task log lines failed'));
      }
    });
    return this.flushing;
  }
}

const now = () => new Date().toISOString();
