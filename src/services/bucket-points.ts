/**
 * The console charts' 10 s buckets as rows (what the store keeps, metric-buckets-repo.ts),
 * how the rows of several replicas merge into one bucket, and how a window of merged rows
 * becomes chart points (empty buckets included).
 */
import type { MetricsPoint } from '../contracts/service-ops.js';

export const BUCKET_MS = 10_000;

/** One bucket of one service as one replica process counted it. */
export interface BucketRow {
  service: string;
  start: number;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  readyInstances: number;
  batches: number;
  batchRows: number;
}

/**
 * Rows of the same bucket from several replicas: calls, errors and batches add up; ready
 * instances is the most any replica saw; p99 is the highest replica's p99 (an upper bound of
 * the merged p99) and p50 the call-weighted mean of the replicas' p50s. With one replica
 * (the usual case) both are exact.
 */
export function mergeRows(rows: readonly BucketRow[]): Map<number, BucketRow> {
  const out = new Map<number, BucketRow>();
  const p50Weight = new Map<number, number>();
  for (const r of rows) {
    const had = out.get(r.start);
    if (!had) {
      out.set(r.start, { ...r });
      p50Weight.set(r.start, r.p50Ms === null ? 0 : r.requests);
      continue;
    }
    const w = p50Weight.get(r.start)!;
    if (r.p50Ms !== null && r.requests > 0) {
      had.p50Ms = had.p50Ms === null || w === 0 ? r.p50Ms : (had.p50Ms * w + r.p50Ms * r.requests) / (w + r.requests);
      p50Weight.set(r.start, w + r.requests);
    }
    if (r.p99Ms !== null) had.p99Ms = had.p99Ms === null ? r.p99Ms : Math.max(had.p99Ms, r.p99Ms);
    had.requests += r.requests;
    had.errors += r.errors;
    had.batches += r.batches;
    had.batchRows += r.batchRows;
    had.readyInstances = Math.max(had.readyInstances, r.readyInstances);
  }
  return out;
}

/** Chart points for the buckets from `from` to `end` (bucket starts, inclusive); a gap carries the ready instances before it. */
export function bucketPoints(merged: ReadonlyMap<number, BucketRow>, from: number, end: number, readyBefore: number): MetricsPoint[] {
  const out: MetricsPoint[] = [];
  let lastReady = readyBefore;
  for (let t = from; t <= end; t += BUCKET_MS) {
    const b = merged.get(t);
    if (b) lastReady = b.readyInstances;
    out.push({
      ts: new Date(t).toISOString(),
      qps: (b?.requests ?? 0) / (BUCKET_MS / 1000),
      errors: b?.errors ?? 0,
      p50Ms: b?.p50Ms ?? null,
      p99Ms: b?.p99Ms ?? null,
      readyInstances: b?.readyInstances ?? lastReady,
      batchSize: b?.batches ? Math.round((b.batchRows / b.batches) * 100) / 100 : null,
    });
  }
  return out;
}
