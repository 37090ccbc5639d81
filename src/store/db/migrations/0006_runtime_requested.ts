import type { Kysely } from 'kysely';

/**
 * The runtime name a version was imported with when it differs from the runtime it runs
 * on: a TI-ONE name (`torch1.9.0-py38-cu111`) mapped onto this catalog's closest runtime.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('model_versions').addColumn('runtime_requested', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('model_versions').dropColumn('runtime_requested').execute();
}
