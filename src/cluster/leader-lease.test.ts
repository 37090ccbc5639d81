import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { openDb, type Db } from '../store/db/connect.js';
import { createLogger } from '../log.js';
import { freshPgDatabase } from '../../test/support/pg.js';
import { eventually } from '../../test/support/platform.js';
import { LeaderLease, replicaId } from './leader-lease.js';

const log = createLogger('silent');
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

function describeLease(name: string, open: () => Promise<Db>): void {
  describe(`leader lease on ${name}`, () => {
    it('is held by one replica at a time; another takes it once it expires', async () => {
      const db = await open();
      onTestFinished(() => db.close());
      const a = new LeaderLease(db.kysely, 'reconciler', 'a', 1_000, log);
      const b = new LeaderLease(db.kysely, 'reconciler', 'b', 1_000, log);
      const t = 1_000_000;
      expect(await a.tryAcquire(t)).toBe(true);
      expect(await b.tryAcquire(t + 10)).toBe(false);
      expect(await a.tryAcquire(t + 500)).toBe(true); // renewed until t + 1500
      expect(await b.tryAcquire(t + 1_200)).toBe(false);
      expect(await b.tryAcquire(t + 1_600)).toBe(true); // a stopped renewing
      expect(await a.tryAcquire(t + 1_700)).toBe(false);
    });

    it('hands over at once on a graceful stop, and tells the new holder', async () => {
      const db = await open();
      onTestFinished(() => db.close());
      const events: string[] = [];
      const a = new LeaderLease(db.kysely, 'reconciler', 'a', 60_000, log);
      const b = new LeaderLease(db.kysely, 'reconciler', 'b', 60_000, log);
      a.start({ onAcquired: () => void events.push('a leads'), onLost: () => void events.push('a lost') });
      await eventually(() => a.isLeader, 5_000, 'a to lead');
      b.start({ onAcquired: () => void events.push('b leads'), onLost: () => void events.push('b lost') });
      await a.stop();
      await eventually(() => b.isLeader, 5_000, 'b to lead');
      await b.stop();
      expect(events).toEqual(['a leads', 'b leads']);
    });
  });
}

describeLease('SQLite', () => openDb('sqlite::memory:'));
describeLease('PostgreSQL', async () => {
  const pgdb = await freshPgDatabase('lease');
  drops.push(pgdb.drop);
  return openDb(pgdb.url);
});

describe('a lease held by a process that is gone', () => {
  it('is taken over at once on the same host, without waiting for it to expire', async () => {
    const { spawnSync } = await import('node:child_process');
    const os = await import('node:os');
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
    const db = await openDb('sqlite::memory:');
    onTestFinished(() => db.close());
    const ghost = new LeaderLease(db.kysely, 'reconciler', `${os.hostname()}/${dead}/abcdef`, 60_000, log);
    const alive = new LeaderLease(db.kysely, 'reconciler', `${os.hostname()}/${process.ppid}/abcdef`, 60_000, log);
    expect(await ghost.tryAcquire()).toBe(true);
    const me = new LeaderLease(db.kysely, 'reconciler', replicaId(), 60_000, log);
    expect(await me.tryAcquire()).toBe(true);
    expect((await me.current())?.holder).toBe(me.holder);
    // a holder that still runs keeps it
    await db.kysely.updateTable('leases').set({ holder: alive.holder }).execute();
    expect(await me.tryAcquire()).toBe(false);
  });
});
