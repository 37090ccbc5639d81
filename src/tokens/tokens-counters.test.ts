/**
 * Token limits counted in the store: two TokenServices on one database stand in for two
 * replicas (the journey with real replicas is test/token-limits-shared.test.ts). Flushes
 * are called by the test (the timer is set far off) so that each step is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../store/db/connect.js';
import * as counterTable from '../store/db/migrations/0007_token_counters.js';
import { ServicesRepo } from '../services/services-repo.js';
import { TokenService } from './tokens.js';

let db: Db;
const services: TokenService[] = [];
const replica = (now?: () => number) => {
  const s = new TokenService({ db: db.kysely, countFlushMs: 3_600_000, ...(now ? { now } : {}) });
  services.push(s);
  return s;
};
const stored = async (tokenId: string) =>
  (await db.kysely.selectFrom('token_counters').select(['span', 'count']).where('token_id', '=', tokenId).orderBy('span').execute()).map((r) => [
    r.span,
    Number(r.count),
  ]);

beforeAll(async () => {
  db = await openDb('sqlite::memory:');
  // a service row to hang tokens on, as creating a service writes it
  await new ServicesRepo(db.kysely).create(
    { name: 'svc', description: '', tags: {}, billingMode: 'postpaid', auth: true },
    { modelName: 'm', modelVersion: 1, runtime: 'r', spec: {}, weight: 100, desiredInstances: 0 },
  );
});
afterAll(async () => {
  for (const s of services) await s.close();
  await db.close();
});

describe('token limits in the store', () => {
  it('counts on the hot path without a write, and writes the counts in one batch', async () => {
    const a = replica();
    const t = await a.create('svc', { limits: { perDay: 100 } });
    for (let i = 0; i < 5; i++) expect((await a.verify('svc', t.token)).limited).toBeUndefined();
    expect(await stored(t.id)).toEqual([]);
    expect((await a.get('svc', t.id)).usage).toEqual({ minute: 5, day: 5 });
    await a.flushCounts();
    expect(await stored(t.id)).toEqual([
      ['day', 5],
      ['minute', 5],
    ]);
  });

  it('shares a limit between replicas once each has flushed, and stays within the stated overshoot', async () => {
    const a = replica();
    const b = replica();
    const t = await a.create('svc', { limits: { perDay: 10 } });
    const admitted = async (s: TokenService, n: number) => {
      let ok = 0;
      for (let i = 0; i < n; i++) if (!(await s.verify('svc', t.token)).limited) ok++;
      return ok;
    };
    expect(await admitted(a, 4)).toBe(4);
    await a.flushCounts();
    // b reads the shared count when it first sees the token: 4 of 10 are gone
    expect(await admitted(b, 10)).toBe(6);
    expect((await b.verify('svc', t.token)).limited?.window).toBe('day');
    // a has not read b's calls yet: it lets through what it thinks is left (the overshoot)
    expect(await admitted(a, 10)).toBe(6);
    await b.flushCounts();
    await a.flushCounts();
    await b.flushCounts();
    expect((await a.get('svc', t.id)).usage?.day).toBe(16);
    expect((await b.get('svc', t.id)).usage?.day).toBe(16);
    expect([(await a.verify('svc', t.token)).limited?.window, (await b.verify('svc', t.token)).limited?.window]).toEqual(['day', 'day']);
  });

  it('keeps a per-day count over a restart (close writes what is pending), and resets it the next day', async () => {
    let now = Date.UTC(2026, 5, 1, 12, 0, 0);
    const first = replica(() => now);
    const t = await first.create('svc', { limits: { perMinute: 100, perDay: 3 } });
    for (let i = 0; i < 3; i++) expect((await first.verify('svc', t.token)).limited).toBeUndefined();
    await first.close();
    now += 5 * 60_000;
    const second = replica(() => now);
    const hit = (await second.verify('svc', t.token)).limited;
    expect(hit).toMatchObject({ window: 'day', retryAfterSeconds: 12 * 3600 - 5 * 60 });
    expect((await second.get('svc', t.id)).usage).toEqual({ minute: 0, day: 3 });
    now = Date.UTC(2026, 5, 2, 0, 0, 1);
    expect((await second.verify('svc', t.token)).limited).toBeUndefined();
  });

  it('keeps counting locally while the store fails, and writes the counts once it answers', async () => {
    const errors: unknown[] = [];
    const a = new TokenService({ db: db.kysely, countFlushMs: 3_600_000, onError: (e) => errors.push(e) });
    services.push(a);
    const t = await a.create('svc', { limits: { perDay: 2 } });
    await a.verify('svc', t.token);
    await db.kysely.schema.dropTable('token_counters').execute();
    await a.verify('svc', t.token);
    await a.flushCounts();
    expect(errors.length).toBeGreaterThan(0);
    expect((await a.verify('svc', t.token)).limited?.window).toBe('day');
    await counterTable.up(db.kysely as never);
    await a.flushCounts();
    expect(await stored(t.id)).toEqual([
      ['day', 2],
      ['minute', 2],
    ]);
  });

  it('drops a deleted token’s counts', async () => {
    const a = replica();
    const t = await a.create('svc', { limits: { perMinute: 5 } });
    await a.verify('svc', t.token);
    await a.flushCounts();
    expect((await stored(t.id)).length).toBe(2);
    await a.delete('svc', t.id);
    expect(await stored(t.id)).toEqual([]);
  });
});
