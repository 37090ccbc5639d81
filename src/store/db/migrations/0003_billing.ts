import type { Kysely } from 'kysely';

/** Resource groups (prepaid capacity) and metered usage per service and day (postpaid). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('resource_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('cpu_millicores', 'integer', (c) => c.notNull())
    .addColumn('memory_mib', 'integer', (c) => c.notNull())
    .addColumn('gpu', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('service_usage')
    .addColumn('service_name', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('instance_seconds', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('cpu_core_seconds', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('memory_gib_seconds', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('gpu_seconds', 'real', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('service_usage_pk', ['service_name', 'day'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('service_usage').execute();
  await db.schema.dropTable('resource_groups').execute();
}
