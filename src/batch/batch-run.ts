/**
 * One start of one batch job, from what is stored to its end: opens the input, reads what
 * is already committed (ResultWriter.prepare), starts the job's instances, sends every
 * input not yet done through them (instances × concurrency senders), and flushes result
 * parts as it goes. It ends the job Succeeded, Failed (an instance gave up, too many
 * inputs failed, the input or model is gone) or Stopped (asked to) — or, when the platform
 * stops under it (abort), leaves it Running for the next start to resume.
 */
import type { InstanceBackend } from '../backends/backend.js';
import type { BatchResultLine, BatchState, BatchSummary } from '../contracts/batch.js';
import type { Logger } from '../log.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import type { ModelsRepo } from '../models/models-repo.js';
import { openInputs, type BatchInputs } from './batch-inputs.js';
import type { BatchRepo, JobRow } from './batch-repo.js';
import type { StoredBatchSpec } from './batch-spec.js';
import { InstancePool } from './instance-pool.js';
import { PredictClient, type PredictOutcome } from './predict-client.js';
import { packImages, splitAnswer } from './record-pack.js';
import { partKey, ResultWriter } from './result-writer.js';

export interface BatchRunDeps {
  repo: BatchRepo;
  blobs: BlobStore;
  backend: InstanceBackend;
  models: ModelsRepo;
  log: Logger;
  /** a part file is written once this many lines are waiting (default 500) … */
  partLines?: number;
  /** … or this long after the last one (default 1000 ms) */
  flushEveryMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MODEL_ERROR_TRIES = 2;

export class BatchRun {
  readonly finished: Promise<void>;
  private halt?: { state: BatchState | 'aborted'; reason?: string };
  private pool?: InstancePool;
  private readonly client = new PredictClient();
  private failedCount = 0;
  private total = 0;

  constructor(
    private readonly job: JobRow,
    private readonly deps: BatchRunDeps,
  ) {
    this.finished = this.execute().catch(async (e) => {
      deps.log.warn({ err: e, job: job.name }, 'batch job failed');
      await this.pool?.stop().catch(() => undefined);
      await this.end('Failed', `the job could not go on: ${(e as Error).message}`, []);
    });
  }

  get name(): string {
    return this.job.name;
  }

  /** The user asked for a stop: what is done is written, the job ends Stopped. */
  requestStop(): void {
    this.halt ??= { state: 'Stopped', reason: 'stopped by request' };
  }

  /** The platform is going away: what is done is written, the job stays Running for the next start. */
  abort(): Promise<void> {
    this.halt ??= { state: 'aborted' };
    return this.finished;
  }

  private get spec(): StoredBatchSpec {
    return JSON.parse(this.job.spec) as StoredBatchSpec;
  }

  private async execute(): Promise<void> {
    const { repo, blobs } = this.deps;
    const writer = new ResultWriter(this.job.id, this.job.output_path, repo, blobs);
    const inputs = await openInputs(blobs, this.job.input_path, this.job.input_format as 'images', this.job.output_path);
    const { done, committed } = await writer.prepare();
    this.total = inputs.keys.length;
    if (!this.total) return this.end('Failed', `input "${this.job.input_path}" holds no inputs`, committed);
    const now = await repo.byId(this.job.id);
    if (
      !now ||
      !(await repo.setState(this.job.id, { state: 'Running', total: this.total, ...(now.started_at ? {} : { startedAt: new Date().toISOString() }) }))
    )
      return;
    this.failedCount = now.failed;
    const queue = inputs.keys.filter((k) => !done.has(k));
    this.deps.log.info({ job: this.job.name, total: this.total, done: done.size, left: queue.length }, done.size ? 'batch job resumed' : 'batch job started');
    if (queue.length) await this.process(queue, inputs, writer);
    const ok = await writer.flush();
    await this.pool?.stop();
    await this.client.close();
    if (!ok || this.halt?.state === 'aborted') return;
    const parts = (await repo.parts(this.job.id)).map((p) => partKey(this.job.output_path, p.part));
    await this.end((this.halt?.state as BatchState | undefined) ?? 'Succeeded', this.halt?.reason, parts);
  }

  /** Starts the instances and runs the senders until the queue is empty or the run halts. */
  private async process(queue: string[], inputs: BatchInputs, writer: ResultWriter): Promise<void> {
    const mv = await this.modelVersion();
    const spec = this.spec;
    this.pool = new InstancePool(this.deps.backend, {
      jobId: this.job.id,
      job: this.job.name,
      modelKey: mv.storage_path,
      runtime: this.job.runtime,
      instances: spec.instances,
      resources: spec.resources,
      batching: spec.batching,
      env: spec.env,
    });
    await this.pool.start();
    const partLines = this.deps.partLines ?? 500;
    const timer = setInterval(() => {
      const gaveUp = this.pool!.failed();
      if (gaveUp) this.halt ??= { state: 'Failed', reason: gaveUp };
      writer.clock(this.pool!.anyReady());
      if (writer.buffered) void writer.flush().catch((e) => this.deps.log.warn({ err: e, job: this.job.name }, 'writing a results part failed; retrying'));
    }, this.deps.flushEveryMs ?? 1_000);
    const k = this.job.input_format === 'images' ? (spec.recordsPerRequest ?? 1) : 1;
    const sender = async () => {
      for (let keys = queue.splice(0, k); keys.length && !this.halt; keys = queue.splice(0, k)) {
        const lines = keys.length === 1 ? [await this.send(keys[0]!, inputs)] : await this.sendPack(keys, inputs);
        for (const line of lines) {
          if (!line) continue;
          writer.add(line);
          if ('error' in line) this.countFailure(line);
        }
        if (lines.some((l) => !l)) return;
        if (writer.buffered >= partLines) await writer.flush();
      }
    };
    try {
      await Promise.all(Array.from({ length: spec.instances * spec.concurrency }, sender));
    } finally {
      clearInterval(timer);
      writer.clock(false);
    }
  }

  /** One input to a result line; undefined when the run halted before it had one. */
  private async send(key: string, inputs: BatchInputs): Promise<BatchResultLine | undefined> {
    const loaded = await this.load(key, inputs);
    if ('error' in loaded) return { input: key, error: loaded.error };
    const out = await this.call(loaded.body);
    if (!out) return undefined;
    return out.kind === 'ok' ? { input: key, output: out.output } : { input: key, error: out.error };
  }

  /** Several images in one request, split back; a pack that is refused or does not split goes one by one. */
  private async sendPack(keys: string[], inputs: BatchInputs): Promise<(BatchResultLine | undefined)[]> {
    const loaded = await Promise.all(keys.map((k) => this.load(k, inputs)));
    const lines: (BatchResultLine | undefined)[] = [];
    const good: { key: string; body: unknown }[] = [];
    for (const l of loaded) {
      if ('error' in l) lines.push({ input: l.key, error: l.error });
      else good.push(l);
    }
    const pack = good.length > 1 ? packImages(good.map((g) => g.body)) : undefined;
    const out = pack ? await this.call(pack) : undefined;
    const split = out?.kind === 'ok' ? splitAnswer(out.output, good.length) : undefined;
    if (split) return [...lines, ...good.map((g, i) => ({ input: g.key, output: split[i] }))];
    if (this.halt) return [...lines, undefined];
    return [...lines, ...(await Promise.all(good.map((g) => this.send(g.key, inputs))))];
  }

  private async load(key: string, inputs: BatchInputs): Promise<{ key: string; body: unknown } | { key: string; error: { code: string; message: string } }> {
    try {
      return await inputs.load(key);
    } catch (e) {
      return { key, error: { code: 'INPUT_UNREADABLE', message: (e as Error).message } };
    }
  }

  /** One request until it has an answer that counts (retrying a gone or busy instance); undefined when the run halted. */
  private async call(body: unknown): Promise<Exclude<PredictOutcome, { kind: 'retry' }> | undefined> {
    let modelErrors = 0;
    while (!this.halt) {
      const target = this.pool!.take();
      if (!target) {
        await sleep(50);
        continue;
      }
      let out: PredictOutcome;
      try {
        out = await this.client.predict(target.url, body);
      } finally {
        this.pool!.release(target.id);
      }
      if (out.kind === 'ok' || out.kind === 'bad-input' || (out.kind === 'model' && ++modelErrors >= MODEL_ERROR_TRIES)) return out;
      await sleep(out.kind === 'retry' ? 200 : 50);
    }
    return undefined;
  }

  private countFailure(line: BatchResultLine): void {
    this.failedCount++;
    const allowed = this.spec.maxErrorRatio * this.total;
    if (this.failedCount > allowed && !this.halt) {
      const err = 'error' in line ? `${line.error.code}: ${line.error.message}` : '';
      this.halt = {
        state: 'Failed',
        reason: `${this.failedCount} of ${this.total} inputs failed, more than maxErrorRatio ${this.spec.maxErrorRatio} allows (last: ${line.input}: ${err.slice(0, 300)})`,
      };
    }
  }

  private async modelVersion() {
    const m = await this.deps.models.findModel(this.job.model_name);
    const mv = m ? await this.deps.models.findVersion(m.id, this.job.model_version) : undefined;
    if (!mv || mv.status !== 'ready') throw new Error(`model "${this.job.model_name}" v${this.job.model_version} is no longer there or not ready`);
    return mv;
  }

  /** The final state, with summary.json written first (a crash in between ends it again at the next start). */
  private async end(state: BatchState, reason: string | undefined, parts: string[]): Promise<void> {
    const { repo, blobs } = this.deps;
    const row = await repo.byId(this.job.id);
    if (!row || !['Pending', 'Running'].includes(row.state)) return;
    const finishedAt = new Date().toISOString();
    const summary: BatchSummary = {
      job: row.name,
      model: row.model_name,
      modelVersion: `v${row.model_version}`,
      state,
      ...(reason ? { reason } : {}),
      input: row.input_path,
      output: row.output_path,
      total: row.total ?? this.total,
      succeeded: row.succeeded,
      failed: row.failed,
      parts,
      startedAt: row.started_at,
      finishedAt,
      durationMs: row.started_at ? Date.parse(finishedAt) - Date.parse(row.started_at) : 0,
      throughputPerSecond: row.run_ms > 0 ? Math.round(((row.succeeded + row.failed) / (Number(row.run_ms) / 1000)) * 100) / 100 : 0,
    };
    await blobs
      .put(`${row.output_path}/summary.json`, Buffer.from(JSON.stringify(summary, null, 2) + '\n'))
      .catch((e) => this.deps.log.warn({ err: e, job: row.name }, 'could not write summary.json'));
    await repo.setState(row.id, { state, reason: reason ?? null, finishedAt });
    this.deps.log.info({ job: row.name, state, reason, succeeded: row.succeeded, failed: row.failed }, 'batch job ended');
  }
}
