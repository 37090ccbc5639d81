import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Service logs (instance output and access lines), shared by every replica and kept across
 * restarts; `id` is the cursor: it only grows, and a deleted id is never given again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('service_logs')
    .addColumn('id', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('version', 'text')
    .addColumn('instance_id', 'text')
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('service_logs_service_id').on('service_logs').columns(['service', 'id']).execute();
  await db.schema.createIndex('service_logs_ts').on('service_logs').columns(['ts']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('service_logs').execute();
}
