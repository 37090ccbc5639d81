import type { Kysely } from 'kysely';

/**
 * Batch prediction jobs (src/batch/) and their committed result parts. A part row is the
 * record that a results part file is complete: the input keys it holds are done, so a
 * resumed job neither runs them again nor loses them (docs/batch.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('batch_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('model_version', 'integer', (c) => c.notNull())
    .addColumn('runtime', 'text', (c) => c.notNull())
    .addColumn('input_path', 'text', (c) => c.notNull())
    .addColumn('input_format', 'text', (c) => c.notNull())
    .addColumn('output_path', 'text', (c) => c.notNull())
    /** JSON: instances, resources, batching, concurrency, maxErrorRatio, env, tags */
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('billing_mode', 'text', (c) => c.notNull())
    .addColumn('resource_group', 'text')
    // spec (user-owned): stop asked for
    .addColumn('stop_requested', 'integer', (c) => c.notNull().defaultTo(0))
    // status (system-owned)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('total', 'integer')
    .addColumn('succeeded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    /** milliseconds spent Running, summed over the job's starts (a restart adds a new stretch) */
    .addColumn('run_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('batch_jobs_state').on('batch_jobs').column('state').execute();

  await db.schema
    .createTable('batch_job_parts')
    .addColumn('job_id', 'text', (c) => c.notNull().references('batch_jobs.id').onDelete('cascade'))
    .addColumn('part', 'integer', (c) => c.notNull())
    /** JSON array of the input keys whose lines the part file holds */
    .addColumn('keys', 'text', (c) => c.notNull())
    .addColumn('lines', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('batch_job_parts_pk', ['job_id', 'part'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('batch_job_parts').execute();
  await db.schema.dropTable('batch_jobs').execute();
}
