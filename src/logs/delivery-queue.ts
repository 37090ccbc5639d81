/**
 * One sink's queue of log lines: bounded (past `maxLines` the oldest are dropped and
 * counted), sent in batches, a failed send tried again after an exponential backoff with
 * jitter. `push` only appends to an array, so a call that logs never waits for a sink.
 */
import type { NewLogLine } from './log-store.js';
import { RetryableError, type SinkTransport } from './log-sinks.js';

export interface DeliveryCounters {
  delivered(sink: string, n: number): void;
  dropped(sink: string, reason: 'overflow' | 'rejected', n: number): void;
  failed(sink: string): void;
}

export interface QueueOptions {
  maxLines: number;
  batchLines?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export class DeliveryQueue {
  private buf: NewLogLine[] = [];
  private sending?: Promise<void>;
  private failures = 0;
  private retryAt = 0;

  constructor(
    readonly transport: SinkTransport,
    private readonly counters: DeliveryCounters,
    private readonly o: QueueOptions,
    private readonly onFailure: (sink: string, err: Error, failures: number) => void,
  ) {}

  get pending(): number {
    return this.buf.length;
  }

  push(l: NewLogLine): void {
    this.buf.push(l);
    this.bound();
  }

  /** Sends what is queued unless a send is under way or the backoff has not passed. */
  tick(now = Date.now()): Promise<void> {
    if (this.sending || !this.buf.length || now < this.retryAt) return this.sending ?? Promise.resolve();
    this.sending = this.sendAll().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async sendAll(): Promise<void> {
    const name = this.transport.name;
    while (this.buf.length) {
      const batch = this.buf.splice(0, this.o.batchLines ?? 1_000);
      try {
        const r = await this.transport.send(batch);
        this.failures = 0;
        this.retryAt = 0;
        if (batch.length - r.rejected) this.counters.delivered(name, batch.length - r.rejected);
        if (r.rejected) this.counters.dropped(name, 'rejected', r.rejected);
      } catch (e) {
        if (!(e instanceof RetryableError)) {
          this.counters.dropped(name, 'rejected', batch.length);
          this.onFailure(name, e as Error, 0);
          continue;
        }
        this.buf.unshift(...batch);
        this.bound();
        this.failures++;
        this.counters.failed(name);
        const base = this.o.baseBackoffMs ?? 250;
        const delay = Math.min(this.o.maxBackoffMs ?? 30_000, base * 2 ** Math.min(this.failures - 1, 20));
        this.retryAt = Date.now() + delay * (0.8 + Math.random() * 0.4);
        this.onFailure(name, e as Error, this.failures);
        return;
      }
    }
  }

  /** Past maxLines, the oldest eighth goes at once (a splice per line would cost a copy of the queue per line). */
  private bound(): void {
    if (this.buf.length <= this.o.maxLines) return;
    const over = this.buf.length - Math.floor((this.o.maxLines * 7) / 8);
    this.buf.splice(0, over);
    this.counters.dropped(this.transport.name, 'overflow', over);
  }
}
