/**
 * Per-service traffic metrics: Prometheus series (GET /metrics) and a JSON time series in
 * 10-second buckets for the console's charts (GET /api/v1/services/{name}/metrics).
 * Fed by the gateway (one observe per call), by the reconciler (ready instances) and by
 * BatchStats (batches the instances ran, read from their /metrics).
 */
import type { MetricsPoint } from '../contracts/service-ops.js';
import type { BucketRow } from './bucket-points.js';
import { PlatformSeries, type LimitReason } from './platform-series.js';
import { ShadowSeries } from './shadow-series.js';

const BUCKET_MS = 10_000;
const KEEP_BUCKETS = 360; // one hour

interface Bucket {
  start: number;
  requests: number;
  errors: number;
  /** the call latencies of the current bucket; a closed bucket keeps only its quantiles */
  latencies: number[];
  quantiles?: Quantiles;
  readyInstances: number;
  batches: number;
  batchRows: number;
}

export type { MetricsPoint } from '../contracts/service-ops.js';

interface Quantiles {
  p50Ms: number | null;
  p99Ms: number | null;
}

function quantiles(latencies: readonly number[]): Quantiles {
  const sorted = [...latencies].sort((x, y) => x - y);
  const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : null);
  return { p50Ms: q(0.5), p99Ms: q(0.99) };
}

export class ServiceMetrics {
  /** the Prometheus series (GET /metrics) */
  readonly prom = new PlatformSeries();
  readonly registry = this.prom.registry;
  /** shadow traffic's counts (shadow-series.ts), on the same registry */
  readonly shadow = new ShadowSeries(this.prom.registry);
  private readonly series = new Map<string, Bucket[]>();
  private readonly readyNow = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * One call through the gateway. `versionSeq`/`instanceId` are undefined when it was
   * refused before a version or instance was chosen (401, a token's 429); `limited` says
   * why it got a 429.
   */
  observe(service: string, versionSeq: number | undefined, latencyMs: number, status: number, instanceId?: string, limited?: LimitReason): void {
    this.prom.call(service, versionSeq === undefined ? '' : String(versionSeq), instanceId ?? '', status, latencyMs, limited);
    const b = this.bucket(service);
    b.requests++;
    if (status >= 500) b.errors++;
    if (b.latencies.length < 20_000) b.latencies.push(latencyMs);
  }

  /** `batches` runs of the model holding `rows` rows in all, on one instance of the service. */
  observeBatches(service: string, batches: number, rows: number): void {
    const b = this.bucket(service);
    b.batches += batches;
    b.batchRows += rows;
  }

  setReady(service: string, versionSeq: number, ready: number, serviceTotal: number): void {
    this.prom.setReady(service, String(versionSeq), ready);
    this.readyNow.set(service, serviceTotal);
    this.bucket(service).readyInstances = serviceTotal;
  }

  /** Buckets of the last `windowMs`, oldest first (empty buckets included). */
  window(service: string, windowMs: number): MetricsPoint[] {
    const ring = this.series.get(service) ?? [];
    const end = Math.floor(this.now() / BUCKET_MS) * BUCKET_MS;
    const from = end - Math.max(BUCKET_MS, Math.min(windowMs, KEEP_BUCKETS * BUCKET_MS)) + BUCKET_MS;
    const out: MetricsPoint[] = [];
    let lastReady = this.readyNow.get(service) ?? 0;
    for (let t = from; t <= end; t += BUCKET_MS) {
      const b = ring.find((x) => x.start === t);
      if (b) lastReady = b.readyInstances;
      const { p50Ms, p99Ms } = b ? (b.quantiles ?? quantiles(b.latencies)) : { p50Ms: null, p99Ms: null };
      out.push({
        ts: new Date(t).toISOString(),
        qps: (b?.requests ?? 0) / (BUCKET_MS / 1000),
        errors: b?.errors ?? 0,
        p50Ms,
        p99Ms,
        readyInstances: b?.readyInstances ?? lastReady,
        batchSize: b?.batches ? Math.round((b.batchRows / b.batches) * 100) / 100 : null,
      });
    }
    return out;
  }

  /**
   * This process's buckets that started in `[from, to)`, of one service or all, with their
   * quantiles (for the store, metrics-history.ts; called once per closed bucket, off the call path).
   */
  rows(from: number, to: number, service?: string): BucketRow[] {
    const out: BucketRow[] = [];
    for (const [name, ring] of this.series) {
      if (service !== undefined && name !== service) continue;
      for (const b of ring) {
        if (b.start < from || b.start >= to) continue;
        const { p50Ms, p99Ms } = b.quantiles ?? quantiles(b.latencies);
        out.push({
          service: name,
          start: b.start,
          requests: b.requests,
          errors: b.errors,
          p50Ms,
          p99Ms,
          readyInstances: b.readyInstances,
          batches: b.batches,
          batchRows: b.batchRows,
        });
      }
    }
    return out;
  }

  /** The service's ready instances now (0 when unknown). */
  readyOf(service: string): number {
    return this.readyNow.get(service) ?? 0;
  }

  /** called with a service's name when its series are dropped (payload capture's series, capture-series.ts) */
  readonly onDrop: ((service: string) => void)[] = [];

  drop(service: string): void {
    for (const f of this.onDrop) f(service);
    this.series.delete(service);
    this.readyNow.delete(service);
    this.shadow.drop(service);
    void this.prom.dropService(service);
  }

  private bucket(service: string): Bucket {
    const start = Math.floor(this.now() / BUCKET_MS) * BUCKET_MS;
    let ring = this.series.get(service);
    if (!ring) this.series.set(service, (ring = []));
    let b = ring[ring.length - 1];
    if (!b || b.start !== start) {
      // the bucket before is closed: keep its quantiles, not its latencies (an hour of
      // buckets holding up to 20,000 numbers each was tens of MiB per busy service)
      if (b && !b.quantiles) {
        b.quantiles = quantiles(b.latencies);
        b.latencies = [];
      }
      b = { start, requests: 0, errors: 0, latencies: [], readyInstances: this.readyNow.get(service) ?? 0, batches: 0, batchRows: 0 };
      ring.push(b);
      if (ring.length > KEEP_BUCKETS) ring.shift();
    }
    return b;
  }
}
