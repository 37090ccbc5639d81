/**
 * Dynamic batching (Triton-style): requests queue, are joined up to `maxBatchSize` rows
 * or `maxQueueDelayMs`, run as one batch, and each caller gets its own answer.
 *
 * Policy:
 * - A request that arrives while nothing runs and nothing waits runs at once (no delay at
 *   concurrency 1, so batching is never slower than no batching for a lone caller).
 * - Requests that arrive while a batch runs wait. When a slot frees up they are joined,
 *   oldest first, up to `maxBatchSize` rows; if that is less than a full batch and the
 *   oldest has waited less than `maxQueueDelayMs`, the batcher waits for the rest of the
 *   delay (more rows may come) — with the default delay 0 it runs at once.
 * - Only requests with the same `key` join (e.g. same tensor names and inner shapes).
 * - The queue is bounded (`maxQueue` requests): beyond it, QUEUE_FULL (503).
 * - Each request has a deadline; one that expires while queued leaves the queue with
 *   DEADLINE_EXCEEDED (504); one that expires while its batch runs is answered 504 and the
 *   batch's result for it is dropped.
 */
import { DomainError } from '../contracts/errors.js';

export interface BatcherOptions<I, O> {
  maxBatchSize: number;
  maxQueueDelayMs: number;
  maxQueue: number;
  /** batches that may run at the same time */
  concurrency: number;
  /** runs one batch: one result or Error per item, in order */
  run: (items: I[]) => Promise<(O | Error)[]>;
  /** rows an item adds to a batch (default 1) */
  rows?: (item: I) => number;
  /** items join only with items of the same key (default: all join) */
  key?: (item: I) => string;
  onBatch?: (rows: number, items: number) => void;
}

interface Pending<I, O> {
  item: I;
  rows: number;
  key: string;
  enqueuedAt: number;
  resolve: (o: O) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  done: boolean;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private running = 0;
  private delayTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: BatcherOptions<I, O>) {}

  /** requests waiting (not yet in a running batch) */
  get queued(): number {
    return this.queue.length;
  }

  /** batches running now */
  get inFlightBatches(): number {
    return this.running;
  }

  submit(item: I, deadlineMs: number): Promise<O> {
    if (this.queue.length >= this.opts.maxQueue) {
      return Promise.reject(new DomainError('QUEUE_FULL', `the instance's queue is full (${this.opts.maxQueue} requests waiting); retry later`));
    }
    return new Promise<O>((resolve, reject) => {
      const p: Pending<I, O> = {
        item,
        rows: this.opts.rows?.(item) ?? 1,
        key: this.opts.key?.(item) ?? '',
        enqueuedAt: performance.now(),
        resolve,
        reject,
        done: false,
      };
      if (Number.isFinite(deadlineMs)) {
        p.timer = setTimeout(() => this.expire(p, deadlineMs), Math.max(0, deadlineMs));
      }
      this.queue.push(p);
      this.pump();
    });
  }

  private expire(p: Pending<I, O>, deadlineMs: number): void {
    if (p.done) return;
    p.done = true;
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
    if (this.running === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
    p.reject(new DomainError('DEADLINE_EXCEEDED', `the request did not finish within its deadline of ${deadlineMs} ms`));
  }

  private pump(): void {
    while (this.running < this.opts.concurrency && this.queue.length > 0) {
      const batch = this.take();
      if (!batch) return;
      void this.runBatch(batch);
    }
  }

  /** The next batch to run now, or undefined when it is better to wait for more rows. */
  private take(): Pending<I, O>[] | undefined {
    const head = this.queue[0]!;
    const max = this.opts.maxBatchSize;
    const picked: Pending<I, O>[] = [head];
    let rows = head.rows;
    for (let i = 1; i < this.queue.length && rows < max; i++) {
      const p = this.queue[i]!;
      if (p.key === head.key && rows + p.rows <= max) {
        picked.push(p);
        rows += p.rows;
      }
    }
    const idle = this.running === 0 && picked.length === this.queue.length && picked.length === 1;
    const waitedMs = performance.now() - head.enqueuedAt;
    const delayLeftMs = this.opts.maxQueueDelayMs - waitedMs;
    if (!idle && rows < max && delayLeftMs > 0) {
      if (!this.delayTimer) {
        this.delayTimer = setTimeout(() => {
          this.delayTimer = undefined;
          this.pump();
        }, Math.ceil(delayLeftMs));
      }
      return undefined;
    }
    if (this.delayTimer) {
      clearTimeout(this.delayTimer);
      this.delayTimer = undefined;
    }
    const set = new Set(picked);
    this.queue = this.queue.filter((p) => !set.has(p));
    return picked;
  }

  private async runBatch(batch: Pending<I, O>[]): Promise<void> {
    this.running++;
    this.opts.onBatch?.(
      batch.reduce((n, p) => n + p.rows, 0),
      batch.length,
    );
    let results: (O | Error)[];
    try {
      results = await this.opts.run(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`the runtime answered ${results.length} results for a batch of ${batch.length}`);
    } catch (e) {
      results = batch.map(() => (e instanceof Error ? e : new Error(String(e))));
    }
    this.running--;
    batch.forEach((p, i) => {
      if (p.done) return;
      p.done = true;
      clearTimeout(p.timer);
      const r = results[i];
      if (r instanceof Error) p.reject(r);
      else p.resolve(r as O);
    });
    this.pump();
    if (this.running === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves once nothing waits and nothing runs. */
  drained(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
