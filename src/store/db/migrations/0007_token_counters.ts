import type { Kysely } from 'kysely';

/**
 * Service-token call counts per fixed window (`span` minute or day, `window_start` in ms
 * since the epoch), shared by every replica on the database; replicas add batched increments.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('token_counters')
    .addColumn('token_id', 'text', (c) => c.notNull())
    .addColumn('span', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('token_counters_pk', ['token_id', 'span', 'window_start'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('token_counters').execute();
}
