/**
 * Chart history that survives a restart and spans every replica (issue 19 §3). ServiceMetrics
 * counts calls in memory; once per closed 10 s bucket this writes the buckets that closed to
 * the store in one batch (never per call), and prunes buckets older than a day now and then.
 * The console's chart route reads the store's rows (other replicas', and this process's
 * older ones) merged with the buckets still only in memory.
 */
import type { MetricsPoint } from '../contracts/service-ops.js';
import { BUCKET_MS, bucketPoints, mergeRows } from './bucket-points.js';
import type { MetricBucketsRepo } from './metric-buckets-repo.js';
import type { ServiceMetrics } from './service-metrics.js';

export const KEEP_MS = 24 * 3_600_000;
const PRUNE_EVERY_MS = 10 * 60_000;

export interface MetricsHistoryDeps {
  repo: MetricBucketsRepo;
  metrics: ServiceMetrics;
  /** this process's id among the replicas (rows are written under it) */
  replica: string;
  onError: (err: unknown) => void;
  now?: () => number;
}

export class MetricsHistory {
  /** this process's buckets that started before this are in the store */
  private flushedTo: number;
  private lastPrune = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly deps: MetricsHistoryDeps) {
    this.now = deps.now ?? Date.now;
    this.flushedTo = this.bucketStart() - KEEP_MS;
  }

  start(): void {
    // just after each bucket boundary, so the bucket that closed goes out at once
    const arm = () => {
      this.timer = setTimeout(
        () => {
          void this.flush().finally(() => this.timer && arm());
        },
        BUCKET_MS - (this.now() % BUCKET_MS) + 50,
      );
      this.timer.unref();
    };
    arm();
  }

  /** Writes the buckets closed since the last write (and with `all`, the open one too). */
  flush(all = false): Promise<void> {
    this.flushing = this.flushing.then(() => this.write(all));
    return this.flushing;
  }

  /** Writes everything this process counted, the open bucket too (at shutdown). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush(true);
  }

  /** Chart points of the last `windowMs` (at most a day), oldest first, every replica's calls summed. */
  async window(service: string, windowMs: number): Promise<MetricsPoint[]> {
    const end = this.bucketStart();
    const from = end - Math.max(BUCKET_MS, Math.min(windowMs, KEEP_MS)) + BUCKET_MS;
    const ownFrom = this.flushedTo;
    const stored = await this.deps.repo.read(service, from, end, this.deps.replica, ownFrom);
    const mine = this.deps.metrics.rows(Math.max(from, ownFrom), end + BUCKET_MS, service);
    return bucketPoints(mergeRows([...stored, ...mine]), from, end, this.deps.metrics.readyOf(service));
  }

  private async write(all: boolean): Promise<void> {
    const to = all ? Number.MAX_SAFE_INTEGER : this.bucketStart();
    try {
      const rows = this.deps.metrics.rows(this.flushedTo, to);
      if (rows.length) await this.deps.repo.put(this.deps.replica, rows);
      if (!all) this.flushedTo = to;
      if (this.now() - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = this.now();
        await this.deps.repo.prune(this.now() - KEEP_MS);
      }
    } catch (err) {
      // kept in memory (an hour) and written with the next bucket
      this.deps.onError(err);
    }
  }

  private bucketStart(): number {
    return Math.floor(this.now() / BUCKET_MS) * BUCKET_MS;
  }
}
