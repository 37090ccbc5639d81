/**
 * DbLogStore passes the LogStore contract on SQLite and on PostgreSQL; its lines outlive a
 * reopened database, and two stores on one PostgreSQL database (two replicas) read each
 * other's lines, a follower's cursor missing none.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../store/db/connect.js';
import { freshPgDatabase } from '../../test/support/pg.js';
import { DbLogStore } from './db-log-store.js';
import { logStoreContract } from './log-store.contract.js';
import type { LogRetention } from './log-store.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const storeOn = (db: Db, retention?: Partial<LogRetention>) => new DbLogStore({ db: db.kysely, dialect: db.dialect, retention, flushEveryMs: 20 });

logStoreContract('sqlite', async (retention) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-logs-'));
  const db = await openDb(`sqlite:${path.join(dir, 'db.sqlite')}`);
  const store = storeOn(db, retention);
  store.start();
  return { store, close: async () => (await store.close(), await db.close(), fs.rmSync(dir, { recursive: true, force: true })) };
});

logStoreContract('postgres', async (retention) => {
  const pg = await freshPgDatabase('logs');
  const db = await openDb(pg.url);
  const store = storeOn(db, retention);
  store.start();
  return { store, close: async () => (await store.close(), await db.close(), await pg.drop()) };
});

const line = (n: number, instanceId: string) => ({
  service: 'a',
  ts: new Date().toISOString(),
  instanceId,
  stream: 'stdout' as const,
  line: `${instanceId} ${n}`,
});

describe('DbLogStore across restarts and replicas', () => {
  it('keeps lines when the database is closed and opened again', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-logs-')), 'db.sqlite');
    const db1 = await openDb(`sqlite:${file}`);
    const s1 = storeOn(db1);
    s1.start();
    for (let n = 0; n < 5; n++) s1.append(line(n, 'i1'));
    await s1.close();
    await db1.close();
    const db2 = await openDb(`sqlite:${file}`);
    cleanups.push(() => db2.close());
    const s2 = storeOn(db2);
    expect((await s2.query('a', { limit: 10 })).items.map((l) => l.line)).toEqual(['i1 0', 'i1 1', 'i1 2', 'i1 3', 'i1 4']);
  });

  it('two replicas on one PostgreSQL read the same lines; a follower of both misses none', async () => {
    const pg = await freshPgDatabase('logs2');
    const [dbA, dbB] = [await openDb(pg.url), await openDb(pg.url)];
    const [a, b] = [storeOn(dbA), storeOn(dbB)];
    a.start();
    b.start();
    cleanups.push(async () => (await a.close(), await b.close(), await dbA.close(), await dbB.close(), await pg.drop()));
    // the follower reads through B while both write, in many small batches
    let cursor = (await b.query('a', { limit: 1 })).cursor;
    const seen: string[] = [];
    const writes = (async () => {
      for (let n = 0; n < 200; n++) {
        a.append(line(n, 'A'));
        b.append(line(n, 'B'));
        if (n % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      await Promise.all([a.flush(), b.flush()]);
    })();
    let done = false;
    void writes.then(() => (done = true));
    for (let rounds = 0; !done || rounds < 1; rounds += done ? 1 : 0) {
      const r = await b.query('a', { after: cursor, limit: 50 });
      seen.push(...r.items.map((l) => l.line));
      cursor = r.cursor;
    }
    for (;;) {
      const r = await b.query('a', { after: cursor, limit: 500 });
      if (!r.items.length) break;
      seen.push(...r.items.map((l) => l.line));
      cursor = r.cursor;
    }
    expect(seen.filter((l) => l.startsWith('A'))).toEqual(Array.from({ length: 200 }, (_, n) => `A ${n}`));
    expect(seen.filter((l) => l.startsWith('B'))).toEqual(Array.from({ length: 200 }, (_, n) => `B ${n}`));
    expect((await a.query('a', { limit: 1000 })).items.map((l) => l.line)).toEqual((await b.query('a', { limit: 1000 })).items.map((l) => l.line));
  });
});
