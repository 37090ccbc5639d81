import type { Kysely } from 'kysely';

/**
 * A service's shadow traffic (docs/shadow.md): `{"version": <seq>, "percent": 0–100}` as
 * JSON text, or null when the service has none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').addColumn('shadow', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').dropColumn('shadow').execute();
}
