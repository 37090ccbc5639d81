import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { openDb } from './connect.js';
import { describeTokenCounters } from '../../tokens/token-counters-repo.contract.js';
import { describeModelsRepo } from '../../models/models-repo.contract.js';
import { describeServicesRepo } from '../../services/services-repo.contract.js';
import { describeTokensRepo } from '../../tokens/tokens-repo.contract.js';
import { describeTasksRepo } from '../../tasks/tasks-repo.contract.js';

describeModelsRepo('SQLite', () => openDb('sqlite::memory:'));
describeTokenCounters('SQLite', () => openDb('sqlite::memory:'));
const sqlite = () => openDb('sqlite::memory:');
describeServicesRepo('SQLite', sqlite);
describeTasksRepo('SQLite', sqlite);
describeTokensRepo('SQLite', sqlite);

// PostgreSQL: this machine (and CI) runs one on 127.0.0.1:5432 with trust auth.
// Each test gets a database of its own, dropped at the end.
const PG_ADMIN = process.env.MODELDOCK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const created: string[] = [];
const openPg = async () => {
  const name = `modeldock_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  created.push(name);
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return openDb(url.toString());
};
describeModelsRepo('PostgreSQL', openPg);
describeTokenCounters('PostgreSQL', openPg);
describeServicesRepo('PostgreSQL', openPg);
describeTasksRepo('PostgreSQL', openPg);
describeTokensRepo('PostgreSQL', openPg);

afterAll(async () => {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});
