/**
 * Batch sizes for the console's metrics: the platform reads each ready instance's
 * Prometheus `/metrics` (the `modeldock_instance_batch_size` histogram the batcher feeds)
 * every few seconds, the way Prometheus would, and adds the batches and rows run since the
 * last read to the service's 10 s bucket. The gateway's hot path is not involved.
 *
 * An instance seen for the first time counts from zero (its whole life so far); an
 * instance whose counts went down was restarted in place and counts from zero again.
 */
import type { ServiceMetrics } from './service-metrics.js';

export interface ScrapeTarget {
  service: string;
  /** the version number, for the platform's series (0 when unknown) */
  seq?: number;
  instanceId: string;
  /** e.g. http://127.0.0.1:43121 */
  url: string;
}

export interface BatchTotals {
  batches: number;
  rows: number;
}

const SUM = /^modeldock_instance_batch_size_sum(?:\{[^}]*\})?\s+(\S+)/m;
const COUNT = /^modeldock_instance_batch_size_count(?:\{[^}]*\})?\s+(\S+)/m;
const QUEUE = /^modeldock_instance_queue_depth(?:\{[^}]*\})?\s+(\S+)/m;

/** The batcher's queue depth in an instance's Prometheus text, or undefined when it has none. */
export function parseQueueDepth(text: string): number | undefined {
  const q = Number(QUEUE.exec(text)?.[1]);
  return Number.isFinite(q) ? q : undefined;
}

/** The batch totals in an instance's Prometheus text, or undefined when it has none. */
export function parseBatchTotals(text: string): BatchTotals | undefined {
  const sum = Number(SUM.exec(text)?.[1]);
  const count = Number(COUNT.exec(text)?.[1]);
  if (!Number.isFinite(sum) || !Number.isFinite(count)) return undefined;
  return { batches: count, rows: sum };
}

export interface BatchStatsOptions {
  targets: () => ScrapeTarget[];
  metrics: ServiceMetrics;
  /** how often instances are read (default 5000) */
  everyMs?: number;
  /** per instance (default 2000) */
  timeoutMs?: number;
}

export class BatchStats {
  private readonly last = new Map<string, BatchTotals>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly opts: BatchStatsOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.scrapeOnce().finally(() => (this.running = undefined));
    }, this.opts.everyMs ?? 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Reads every target once and records what each ran since the last read. */
  async scrapeOnce(): Promise<void> {
    const targets = this.opts.targets();
    await Promise.all(targets.map((t) => this.scrape(t)));
    const live = new Set(targets.map((t) => t.instanceId));
    for (const id of this.last.keys()) if (!live.has(id)) this.last.delete(id);
  }

  private async scrape(t: ScrapeTarget): Promise<void> {
    let now: BatchTotals | undefined;
    let queue: number | undefined;
    try {
      const res = await fetch(`${t.url}/metrics`, { signal: AbortSignal.timeout(this.opts.timeoutMs ?? 2000) });
      if (!res.ok) return;
      const text = await res.text();
      now = parseBatchTotals(text);
      queue = parseQueueDepth(text);
    } catch {
      return; // an instance going away or busy: its batches are counted at the next read
    }
    if (!now) return;
    const before = this.last.get(t.instanceId);
    this.last.set(t.instanceId, now);
    const from = before && before.batches <= now.batches ? before : { batches: 0, rows: 0 };
    const batches = now.batches - from.batches;
    if (batches > 0) this.opts.metrics.observeBatches(t.service, batches, now.rows - from.rows);
    this.opts.metrics.prom.instanceRead({ service: t.service, seq: t.seq ?? 0, instanceId: t.instanceId }, { batches, rows: now.rows - from.rows }, queue);
  }
}
