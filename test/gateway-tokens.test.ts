/**
 * Service tokens against real SQLite: create / list / rotate / disable / delete / limits,
 * over the TokenService, its REST plugin, and through the gateway (401 before the model).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { tokensPlugin } from '../src/api/plugins/tokens.js';
import { TokenService } from '../src/tokens/tokens.js';
import { openDb, type Db } from '../src/store/db/connect.js';
import { call, capturingLogger, echo, MemoryDirectory, startGateway, startUpstream, version } from './gateway-harness.js';
import { eventually } from './support/platform.js';

async function addService(db: Db, name: string, desired = 'running'): Promise<string> {
  const id = randomUUID();
  const ts = new Date().toISOString();
  await db.kysely
    .insertInto('services')
    .values({
      id,
      name,
      description: '',
      tags: '{}',
      billing_mode: 'postpaid',
      resource_group: null,
      auth: 1,
      desired,
      next_seq: 1,
      status: 'Running',
      reason: null,
      created_at: ts,
      updated_at: ts,
    })
    .execute();
  return id;
}

let db: Db;
const closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  db = await openDb('sqlite::memory:');
  await addService(db, 'svc');
  await addService(db, 'other');
  await addService(db, 'going', 'deleted');
});
afterAll(async () => {
  for (const c of closers.reverse()) await c();
  await db.close();
});

describe('TokenService', () => {
  it('creates a token shown once, stores only its hash and a hint', async () => {
    const tokens = new TokenService({ db: db.kysely });
    closers.push(() => tokens.close());
    const t = await tokens.create('svc', { name: 'ci', limits: { perMinute: 10 } });
    expect(t.token).toMatch(/^md_[A-Za-z0-9_-]{32}$/);
    expect(t).toMatchObject({ name: 'ci', enabled: true, limits: { perMinute: 10 }, hint: `md_…${t.token.slice(-4)}` });
    const rows = await db.kysely.selectFrom('service_tokens').selectAll().where('id', '=', t.id).execute();
    expect(JSON.stringify(rows)).not.toContain(t.token);
    expect(rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    const listed = await tokens.list('svc');
    expect(listed.find((x) => x.id === t.id)).toEqual({
      id: t.id,
      name: 'ci',
      hint: t.hint,
      limits: { perMinute: 10 },
      enabled: true,
      createdAt: t.createdAt,
      lastUsedAt: null,
      usage: { minute: 0, day: 0 },
    });
    expect(JSON.stringify(listed)).not.toContain(t.token);
  });

  it('verifies the right token of the right service only', async () => {
    const tokens = new TokenService({ db: db.kysely });
    closers.push(() => tokens.close());
    const t = await tokens.create('svc');
    expect(await tokens.verify('svc', t.token)).toMatchObject({ ok: true, tokenId: t.id });
    expect((await tokens.verify('svc', `${t.token}x`)).ok).toBe(false);
    expect((await tokens.verify('svc', '')).ok).toBe(false);
    expect((await tokens.verify('other', t.token)).ok).toBe(false);
    expect((await tokens.verify('nope', t.token)).ok).toBe(false);
  });

  it('rotates to a new value with the same id: the old value stops working at once', async () => {
    const tokens = new TokenService({ db: db.kysely });
    closers.push(() => tokens.close());
    const t = await tokens.create('svc');
    expect((await tokens.verify('svc', t.token)).ok).toBe(true);
    const r = await tokens.rotate('svc', t.id);
    expect([r.id, r.token === t.token, r.hint === `md_…${r.token.slice(-4)}`]).toEqual([t.id, false, true]);
    expect((await tokens.verify('svc', t.token)).ok).toBe(false);
    expect((await tokens.verify('svc', r.token)).ok).toBe(true);
  });

  it('stops a disabled or deleted token within the cache time on another replica, at once on this one', async () => {
    const here = new TokenService({ db: db.kysely });
    const there = new TokenService({ db: db.kysely, cacheTtlMs: 1000 });
    closers.push(
      () => here.close(),
      () => there.close(),
    );
    const t = await here.create('svc');
    expect((await there.verify('svc', t.token)).ok).toBe(true);
    await here.update('svc', t.id, { enabled: false });
    expect((await here.verify('svc', t.token)).ok).toBe(false);
    const t0 = Date.now();
    await eventually(async () => !(await there.verify('svc', t.token)).ok, 3000, 'the other replica to drop the disabled token');
    expect(Date.now() - t0).toBeLessThan(2000);
    await here.update('svc', t.id, { enabled: true });
    await eventually(async () => (await there.verify('svc', t.token)).ok, 3000, 'the other replica to take the token back');
    await here.delete('svc', t.id);
    expect((await here.verify('svc', t.token)).ok).toBe(false);
    await eventually(async () => !(await there.verify('svc', t.token)).ok, 3000, 'the other replica to drop the deleted token');
    await expect(here.get('svc', t.id)).rejects.toMatchObject({ code: 'TOKEN_NOT_FOUND' });
  });

  it('limits calls per minute and per day, and lets them through again in the next window', async () => {
    let now = Date.UTC(2026, 0, 1, 10, 0, 30);
    const tokens = new TokenService({ db: db.kysely, now: () => now });
    closers.push(() => tokens.close());
    const m = await tokens.create('svc', { limits: { perMinute: 3 } });
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await tokens.verify('svc', m.token));
    expect(seen.map((s) => [s.ok, s.limited?.window])).toEqual([
      [true, undefined],
      [true, undefined],
      [true, undefined],
      [true, 'minute'],
    ]);
    expect(seen[3]!.limited!.retryAfterSeconds).toBe(30);
    now += 30_000;
    expect((await tokens.verify('svc', m.token)).limited).toBeUndefined();

    const d = await tokens.create('svc', { limits: { perMinute: 100, perDay: 2 } });
    await tokens.verify('svc', d.token);
    now += 60_000;
    await tokens.verify('svc', d.token);
    now += 60_000;
    expect((await tokens.verify('svc', d.token)).limited?.window).toBe('day');
    now = Date.UTC(2026, 0, 2, 0, 0, 1);
    expect((await tokens.verify('svc', d.token)).limited).toBeUndefined();

    // Limits changed later apply; removing them removes the cap.
    await tokens.update('svc', m.id, { limits: { perMinute: 1 } });
    await tokens.verify('svc', m.token);
    expect((await tokens.verify('svc', m.token)).limited?.window).toBe('minute');
    await tokens.update('svc', m.id, { limits: {} });
    expect((await tokens.get('svc', m.id)).limits).toEqual({});
    expect((await tokens.verify('svc', m.token)).limited).toBeUndefined();
  });

  it('refuses unknown and deleted services with SERVICE_NOT_FOUND', async () => {
    const tokens = new TokenService({ db: db.kysely });
    closers.push(() => tokens.close());
    await expect(tokens.create('nope')).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
    await expect(tokens.list('going')).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
  });
});

describe('tokens REST API', () => {
  it('creates (201, value once), lists without values, patches, rotates and deletes', async () => {
    const tokens = new TokenService({ db: db.kysely });
    const app = await buildApp({ logger: capturingLogger().log, bodyLimitBytes: 65536, adminToken: '', version: 't' }, [{ plugin: tokensPlugin({ tokens }) }]);
    closers.push(
      () => app.close(),
      () => tokens.close(),
    );
    const base = '/api/v1/services/other/tokens';
    const created = await app.inject({ method: 'POST', url: base, payload: { name: 'web', limits: { perDay: 1000 } } });
    expect(created.statusCode).toBe(201);
    const c = created.json();
    expect(Object.keys(c).sort()).toEqual(['createdAt', 'enabled', 'hint', 'id', 'lastUsedAt', 'limits', 'name', 'token']);
    expect(c).toMatchObject({ name: 'web', enabled: true, limits: { perDay: 1000 } });

    const list = await app.inject({ method: 'GET', url: base });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(c.token);
    expect(list.json().items.map((t: { id: string }) => t.id)).toContain(c.id);

    const off = await app.inject({ method: 'PATCH', url: `${base}/${c.id}`, payload: { enabled: false, name: 'web-2' } });
    expect(off.json()).toMatchObject({ id: c.id, enabled: false, name: 'web-2', limits: { perDay: 1000 } });
    expect((await tokens.verify('other', c.token)).ok).toBe(false);

    const rot = await app.inject({ method: 'POST', url: `${base}/${c.id}/rotate` });
    expect(rot.statusCode).toBe(200);
    expect(rot.json().token).not.toBe(c.token);

    expect((await app.inject({ method: 'DELETE', url: `${base}/${c.id}` })).statusCode).toBe(204);
    const gone = await app.inject({ method: 'DELETE', url: `${base}/${c.id}` });
    expect([gone.statusCode, gone.json().error.code]).toEqual([404, 'TOKEN_NOT_FOUND']);
  });

  it('answers 404 SERVICE_NOT_FOUND and 400 for bad bodies', async () => {
    const tokens = new TokenService({ db: db.kysely });
    const app = await buildApp({ logger: capturingLogger().log, bodyLimitBytes: 65536, adminToken: '', version: 't' }, [{ plugin: tokensPlugin({ tokens }) }]);
    closers.push(
      () => app.close(),
      () => tokens.close(),
    );
    const nf = await app.inject({ method: 'POST', url: '/api/v1/services/nope/tokens', payload: {} });
    expect([nf.statusCode, nf.json().error.code]).toEqual([404, 'SERVICE_NOT_FOUND']);
    expect((await app.inject({ method: 'GET', url: '/api/v1/services/nope/tokens' })).statusCode).toBe(404);
    for (const payload of [{ limits: { perMinute: 0 } }, { limits: { perMinute: 'ten' } }, { name: '' }, { extra: true }, { limits: { perHour: 1 } }]) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/services/svc/tokens', payload });
      expect([JSON.stringify(payload), r.statusCode, r.json().error.code]).toEqual([JSON.stringify(payload), 400, 'INVALID_ARGUMENT']);
    }
    const patch = await app.inject({ method: 'PATCH', url: '/api/v1/services/svc/tokens/x', payload: { enabled: 'yes' } });
    expect(patch.statusCode).toBe(400);
  });
});

describe('gateway auth with service tokens', () => {
  it('401s a missing, wrong or disabled token before the model; takes Bearer and bare tokens; 429s over a limit', async () => {
    const tokens = new TokenService({ db: db.kysely });
    const up = await startUpstream(echo('model'));
    const dir = new MemoryDirectory();
    dir.tokens = tokens;
    const gw = await startGateway(dir);
    closers.push(
      () => up.close(),
      () => gw.close(),
      () => tokens.close(),
    );
    dir.set({ name: 'svc', auth: true, stopped: false, versions: [version('v1', 1, 100, [up.url])] });
    const t = await tokens.create('svc', { limits: { perMinute: 3 } });
    const other = await tokens.create('other');
    const url = `${gw.url}/svc/v1/models/m:predict`;

    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong' },
      { authorization: 'wrong' },
      { authorization: `Bearer ${other.token}` },
      { authorization: 'Bearer ' },
    ]) {
      const r = await call(url, { body: '{}', headers });
      expect([JSON.stringify(headers), r.status, r.json().error.code]).toEqual([JSON.stringify(headers), 401, 'UNAUTHENTICATED']);
    }
    expect(up.hits).toBe(0);

    expect((await call(url, { body: '{}', headers: { authorization: `Bearer ${t.token}` } })).status).toBe(200);
    expect((await call(url, { body: '{}', headers: { authorization: t.token } })).status).toBe(200);
    expect((await call(`${gw.url}/v2/models/svc/infer`, { body: '{}', headers: { authorization: `bearer ${t.token}` } })).status).toBe(200);
    const over = await call(url, { body: '{}', headers: { authorization: t.token } });
    expect([over.status, over.json().error.code, up.hits]).toEqual([429, 'RATE_LIMITED', 3]);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);

    await tokens.update('svc', t.id, { enabled: false, limits: {} });
    expect((await call(url, { body: '{}', headers: { authorization: t.token } })).status).toBe(401);
    expect(up.hits).toBe(3);
    expect(gw.lines.join('\n')).not.toContain(t.token);
    expect(gw.lines.join('\n')).not.toContain(t.token.slice(3, 20));
  });
});
