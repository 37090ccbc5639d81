import type { Kysely } from 'kysely';

/**
 * The console charts' 10-second buckets, kept for a day so that chart history survives a
 * restart (issue 19 §3). One row per service, replica process and bucket start (ms since the
 * epoch); a replica writes only its own rows, readers sum the replicas of a bucket.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('metric_buckets')
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('replica', 'text', (c) => c.notNull())
    .addColumn('bucket_start', 'bigint', (c) => c.notNull())
    .addColumn('requests', 'integer', (c) => c.notNull())
    .addColumn('errors', 'integer', (c) => c.notNull())
    .addColumn('p50_ms', 'real')
    .addColumn('p99_ms', 'real')
    .addColumn('ready_instances', 'integer', (c) => c.notNull())
    .addColumn('batches', 'integer', (c) => c.notNull())
    .addColumn('batch_rows', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_buckets_pk', ['service', 'replica', 'bucket_start'])
    .execute();
  await db.schema.createIndex('metric_buckets_start').on('metric_buckets').column('bucket_start').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('metric_buckets').execute();
}
