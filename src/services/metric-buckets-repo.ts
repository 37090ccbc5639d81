/**
 * The console charts' 10 s buckets in the store (Kysely over `metric_buckets`), so that chart
 * history survives a restart and every replica's calls show: each replica process writes its
 * own rows (an upsert per batch, once per closed bucket), readers merge a bucket's rows.
 * The same SQL runs on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/db/schema.js';
import type { BucketRow } from './bucket-points.js';

const CHUNK = 200;

export class MetricBucketsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes (or rewrites) this replica's rows, in key order so concurrent writers cannot deadlock. */
  async put(replica: string, rows: readonly BucketRow[]): Promise<void> {
    const values = [...rows]
      .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.start - b.start))
      .map((r) => ({
        service: r.service,
        replica,
        bucket_start: r.start,
        requests: r.requests,
        errors: r.errors,
        p50_ms: r.p50Ms,
        p99_ms: r.p99Ms,
        ready_instances: r.readyInstances,
        batches: r.batches,
        batch_rows: r.batchRows,
      }));
    for (let k = 0; k < values.length; k += CHUNK) {
      await this.db
        .insertInto('metric_buckets')
        .values(values.slice(k, k + CHUNK))
        .onConflict((oc) =>
          oc.columns(['service', 'replica', 'bucket_start']).doUpdateSet((eb) => ({
            requests: eb.ref('excluded.requests'),
            errors: eb.ref('excluded.errors'),
            p50_ms: eb.ref('excluded.p50_ms'),
            p99_ms: eb.ref('excluded.p99_ms'),
            ready_instances: eb.ref('excluded.ready_instances'),
            batches: eb.ref('excluded.batches'),
            batch_rows: eb.ref('excluded.batch_rows'),
          })),
        )
        .execute();
    }
  }

  /**
   * A service's rows with `from <= start <= to`, every replica's, except this replica's rows
   * from `ownFrom` on (those are still in its memory).
   */
  async read(service: string, from: number, to: number, replica: string, ownFrom: number): Promise<BucketRow[]> {
    const rows = await this.db
      .selectFrom('metric_buckets')
      .selectAll()
      .where('service', '=', service)
      .where('bucket_start', '>=', from)
      .where('bucket_start', '<=', to)
      .where((eb) => eb.or([eb('replica', '!=', replica), eb('bucket_start', '<', ownFrom)]))
      .execute();
    return rows.map((r) => ({
      service: r.service,
      start: Number(r.bucket_start),
      requests: Number(r.requests),
      errors: Number(r.errors),
      p50Ms: r.p50_ms === null ? null : Number(r.p50_ms),
      p99Ms: r.p99_ms === null ? null : Number(r.p99_ms),
      readyInstances: Number(r.ready_instances),
      batches: Number(r.batches),
      batchRows: Number(r.batch_rows),
    }));
  }

  /** Drops buckets that started before `before` (ms); answers how many rows went. */
  async prune(before: number): Promise<number> {
    const res = await this.db.deleteFrom('metric_buckets').where('bucket_start', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows ?? 0);
  }
}
