/**
 * Per-service traffic metrics: Prometheus series (GET /metrics) and a JSON time series in
 * 10-second buckets for the console's charts (GET /api/v1/services/{name}/metrics).
 * Fed by the gateway (one observe per call), by the reconciler (ready instances) and by
 * BatchStats (batches the instances ran, read from their /metrics).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MetricsPoint } from '../contracts/service-ops.js';

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
  readonly registry = new Registry();
  private readonly requests: Counter<'service' | 'version' | 'code'>;
  private readonly latency: Histogram<'service' | 'version'>;
  private readonly ready: Gauge<'service' | 'version'>;
  private readonly series = new Map<string, Bucket[]>();
  private readonly readyNow = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {
    collectDefaultMetrics({ register: this.registry, prefix: 'modeldock_platform_' });
    this.requests = new Counter({ name: 'modeldock_requests_total', help: 'calls through the gateway', labelNames: ['service', 'version', 'code'], registers: [this.registry] });
    this.latency = new Histogram({
      name: 'modeldock_request_duration_seconds',
      help: 'gateway call latency',
      labelNames: ['service', 'version'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.ready = new Gauge({ name: 'modeldock_ready_instances', help: 'ready instances per service version', labelNames: ['service', 'version'], registers: [this.registry] });
  }

  observe(service: string, versionSeq: number, latencyMs: number, status: number): void {
    const version = String(versionSeq);
    this.requests.inc({ service, version, code: String(status) });
    this.latency.observe({ service, version }, latencyMs / 1000);
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
    this.ready.set({ service, version: String(versionSeq) }, ready);
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
      out.push({ ts: new Date(t).toISOString(), qps: (b?.requests ?? 0) / (BUCKET_MS / 1000), errors: b?.errors ?? 0, p50Ms, p99Ms, readyInstances: b?.readyInstances ?? lastReady, batchSize: b?.batches ? Math.round((b.batchRows / b.batches) * 100) / 100 : null });
    }
    return out;
  }

  drop(service: string): void {
    this.series.delete(service);
    this.readyNow.delete(service);
    this.requests.remove({ service });
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
