import type { Kysely } from 'kysely';

/**
 * What each replica's gateway saw per service version over the last window, so that the
 * leading replica's autoscaler counts every replica's calls (and their wake-ups).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('traffic_reports')
    .addColumn('replica', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('requests', 'integer', (c) => c.notNull())
    .addColumn('busy_ms', 'real', (c) => c.notNull())
    .addColumn('holds', 'integer', (c) => c.notNull())
    .addColumn('last_request_at', 'bigint', (c) => c.notNull())
    .addColumn('reported_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('traffic_reports_pk', ['replica', 'version_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('traffic_reports').execute();
}
