import { sql, type Kysely } from 'kysely';

/**
 * Progressive rollouts (docs/rollout.md): the user-owned spec and the system-owned status
 * as JSON, written apart. `active` is 1 until the rollout finishes; the partial unique
 * index keeps one active rollout per service, on SQLite and PostgreSQL alike.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rollouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('target_version_id', 'text', (c) => c.notNull())
    .addColumn('baseline_version_id', 'text', (c) => c.notNull())
    .addColumn('baseline_seq', 'integer', (c) => c.notNull())
    .addColumn('baseline_weight', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('spec_updated_at', 'text', (c) => c.notNull())
    .addColumn('status_updated_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create unique index rollouts_one_active on rollouts (service_id) where active = 1`.execute(db);
  await db.schema.createIndex('rollouts_service').on('rollouts').columns(['service_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rollouts').execute();
}
