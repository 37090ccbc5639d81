/**
 * Changing a service after creation over REST: removing a version (DELETE …/versions/{v})
 * and changing description, tags and auth (PATCH, JSON merge patch). Control plane only:
 * versions run 0 instances; what reaches instances is in test/services-versions.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importPlaceholder, testPlatform, type TestPlatform } from '../../../test/support/platform.js';

let p: TestPlatform;
beforeEach(async () => {
  p = await testPlatform();
  await importPlaceholder(p);
});
afterEach(async () => {
  await p.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const call = (method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  p.app.inject({
    method,
    url,
    headers,
    ...(payload !== undefined
      ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } }
      : {}),
  });
const version = (extra: object = {}) => ({
  model: 'm',
  modelVersion: 'v1',
  resources: { cpuMillicores: 1000, memoryMiB: 1024 },
  scaling: { mode: 'manual', instances: 0 },
  ...extra,
});
const weights = async (name: string) =>
  ((await call('GET', `/api/v1/services/${name}`)).json().versions as { seq: number; weight: number }[]).map((v) => [v.seq, v.weight]);
const reasons = async (name: string) => (await call('GET', `/api/v1/services/${name}/events`)).json().items as { reason: string; message: string }[];

describe('removing a service version', () => {
  it('removes a version; the others keep their weights, so their shares grow in proportion', async () => {
    await call('POST', '/api/v1/services', { name: 'rv', version: version() });
    await call('POST', '/api/v1/services/rv/versions', version({ weight: 30 }));
    await call('POST', '/api/v1/services/rv/versions', version({ weight: 10 }));
    await call('PUT', '/api/v1/services/rv/weights', { weights: [{ version: 1, weight: 60 }] });
    const r = await call('DELETE', '/api/v1/services/rv/versions/v2');
    expect(r.statusCode).toBe(202);
    expect(r.json().versions.map((v: { seq: number; weight: number }) => [v.seq, v.weight])).toEqual([
      [1, 60],
      [3, 10],
    ]);
    expect(await weights('rv')).toEqual([
      [1, 60],
      [3, 10],
    ]);
    expect((await reasons('rv')).find((e) => e.reason === 'VersionRemoved')?.message).toMatch(/^version 2 \(m v1\) removed/);
    // a removed version's number is not given again
    expect((await call('POST', '/api/v1/services/rv/versions', version())).json().versions.map((v: { seq: number }) => v.seq)).toEqual([1, 3, 4]);
    const gone = await call('DELETE', '/api/v1/services/rv/versions/2');
    expect([gone.statusCode, gone.json().error.code]).toEqual([404, 'VERSION_NOT_FOUND']);
  });

  it('refuses the only version and the one holding all traffic with 409 and a stable code', async () => {
    await call('POST', '/api/v1/services', { name: 'one', version: version() });
    const last = await call('DELETE', '/api/v1/services/one/versions/1');
    expect([last.statusCode, last.json().error.code]).toEqual([409, 'LAST_SERVICE_VERSION']);
    await call('POST', '/api/v1/services/one/versions', version()); // weight 0
    const all = await call('DELETE', '/api/v1/services/one/versions/v1');
    expect([all.statusCode, all.json().error.code]).toEqual([409, 'VERSION_HOLDS_ALL_TRAFFIC']);
    expect(all.json().error.details).toEqual({ version: 1, others: [{ version: 2, weight: 0 }] });
    expect(await weights('one')).toEqual([
      [1, 100],
      [2, 0],
    ]);
    // once another version has weight, it goes
    await call('PUT', '/api/v1/services/one/weights', { weights: [{ version: 2, weight: 5 }] });
    expect((await call('DELETE', '/api/v1/services/one/versions/v1')).statusCode).toBe(202);
    expect(await weights('one')).toEqual([[2, 5]]);
    const unknown = await call('DELETE', '/api/v1/services/nope/versions/1');
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'SERVICE_NOT_FOUND']);
  });

  it('removes two versions at once only as far as one with weight remains', async () => {
    await call('POST', '/api/v1/services', { name: 'race', version: version() });
    await call('POST', '/api/v1/services/race/versions', version({ weight: 50 }));
    const both = await Promise.all([call('DELETE', '/api/v1/services/race/versions/1'), call('DELETE', '/api/v1/services/race/versions/2')]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([202, 409]);
    expect((await weights('race')).length).toBe(1);
  });
});

describe('PATCH /api/v1/services/{name}', () => {
  it('merges description, tags and auth; null clears a field or removes a tag', async () => {
    await call('POST', '/api/v1/services', { name: 'pt', description: 'first', tags: { team: 'ml', env: 'dev' }, version: version() });
    const a = await call('PATCH', '/api/v1/services/pt', { tags: { env: 'prod', owner: 'li' }, auth: true });
    expect(a.statusCode).toBe(200);
    expect(a.json()).toMatchObject({ name: 'pt', description: 'first', tags: { team: 'ml', env: 'prod', owner: 'li' }, auth: true });
    const b = await call('PATCH', '/api/v1/services/pt', '{"description":null,"tags":{"team":null}}', { 'content-type': 'application/merge-patch+json' });
    expect(b.statusCode).toBe(200);
    expect(b.json()).toMatchObject({ description: '', tags: { env: 'prod', owner: 'li' }, auth: true });
    const c = await call('PATCH', '/api/v1/services/pt', { tags: null, description: 'd2', auth: false });
    expect(c.json()).toMatchObject({ description: 'd2', tags: {}, auth: false });
    // an empty patch changes nothing
    expect((await call('PATCH', '/api/v1/services/pt', {})).json()).toMatchObject({ description: 'd2', tags: {}, auth: false });
    // what GET shows afterwards, and the events
    expect((await call('GET', '/api/v1/services/pt')).json()).toMatchObject({ description: 'd2', tags: {}, auth: false });
    expect((await reasons('pt')).filter((e) => e.reason === 'Updated').map((e) => e.message)).toContain('changed: description, tags, auth off');
    // call info follows auth
    expect((await call('PATCH', '/api/v1/services/pt', { auth: true })).json().auth).toBe(true);
    expect((await call('GET', '/api/v1/services/pt/call-info')).json().headers.Authorization).toBe('Bearer <token>');
  });

  it('refuses bad input with 400 and stable codes, and unknown services with 404', async () => {
    await call('POST', '/api/v1/services', { name: 'bad', description: 'keep', version: version() });
    const cases: [unknown, string][] = [
      [{ name: 'other' }, 'INVALID_ARGUMENT'],
      [{ billingMode: 'prepaid' }, 'INVALID_ARGUMENT'],
      [{ auth: 'yes' }, 'INVALID_ARGUMENT'],
      [{ auth: null }, 'INVALID_ARGUMENT'],
      [{ description: 'x'.repeat(2001) }, 'INVALID_ARGUMENT'],
      [{ tags: { ['a\u0001']: 'b' } }, 'INVALID_ARGUMENT'],
      [{ tags: { k: 5 } }, 'INVALID_ARGUMENT'],
      [{ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, 'INVALID_ARGUMENT'],
      [[], 'INVALID_ARGUMENT'],
      ['{"auth": tru', 'INVALID_JSON'],
    ];
    for (const [body, code] of cases) {
      const r = await call('PATCH', '/api/v1/services/bad', body);
      expect([JSON.stringify(body).slice(0, 40), r.statusCode, r.json().error.code]).toEqual([JSON.stringify(body).slice(0, 40), 400, code]);
    }
    expect((await call('GET', '/api/v1/services/bad')).json()).toMatchObject({ description: 'keep', tags: {}, auth: false });
    const missing = await call('PATCH', '/api/v1/services/nope', { auth: true });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'SERVICE_NOT_FOUND']);
  });
});
