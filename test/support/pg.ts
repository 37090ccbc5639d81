/** A fresh PostgreSQL database per test on this machine's server (CI has the same one). */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN = process.env.MODELDOCK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Creates a database; answers its URL and a function that drops it. */
export async function freshPgDatabase(tag = 'test'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `modeldock_${tag}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: PG_ADMIN });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
