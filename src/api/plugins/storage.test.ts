import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testPlatform, type TestPlatform } from '../../../test/support/platform.js';

let p: TestPlatform;
beforeEach(async () => {
  p = await testPlatform();
});
afterEach(async () => {
  await p.close();
});

const put = (key: string, data = 'x') =>
  p.app.inject({ method: 'PUT', url: `/api/v1/storage/${key}`, payload: Buffer.from(data), headers: { 'content-type': 'application/octet-stream' } });
const call = (method: 'GET' | 'DELETE', url: string) => p.app.inject({ method, url });
const listed = async (prefix = '') =>
  (await call('GET', `/api/v1/storage?prefix=${encodeURIComponent(prefix)}`)).json().items.map((o: { path: string }) => o.path);
const answer = (r: { statusCode: number; json(): { error?: { code: string } } }) => [r.statusCode, r.json().error?.code];

describe('storage: the object store over REST', () => {
  it('stores, lists, downloads and deletes objects', async () => {
    expect((await put('data/ds/a.txt', 'alpha')).json()).toMatchObject({ path: 'data/ds/a.txt', size: 5 });
    await put('data/ds/sub/b.txt', 'beta');
    expect(await listed('data/ds/')).toEqual(['data/ds/a.txt', 'data/ds/sub/b.txt']);
    expect((await call('GET', '/api/v1/storage/data/ds/a.txt')).body).toBe('alpha');
    expect((await call('DELETE', '/api/v1/storage/data/ds?recursive=true')).statusCode).toBe(204);
    expect(await listed()).toEqual([]);
  });
});

describe("storage: the store's own working area (.tmp/) is out of reach", () => {
  const tmp = () => path.join(p.dataDir, 'blobs', '.tmp');

  it('refuses to write, read, list or delete it, and uploads keep working', async () => {
    await put('keep/me', 'k');
    for (const [method, url] of [
      ['DELETE', '/api/v1/storage/.tmp?recursive=true'],
      ['DELETE', '/api/v1/storage/.tmp/x'],
      ['GET', '/api/v1/storage/.tmp/x'],
      ['GET', '/api/v1/storage?prefix=.tmp'],
      ['GET', '/api/v1/storage?prefix=.tmp/'],
    ] as const) {
      expect([method, url, ...answer(await call(method, url))]).toEqual([method, url, 403, 'FORBIDDEN']);
    }
    for (const key of ['.tmp/x', '.tmp', '.tmp/a/b', '%2Etmp/x']) expect([key, ...answer(await put(key))]).toEqual([key, 403, 'FORBIDDEN']);
    // spellings that once normalised onto it are refused as written
    for (const key of ['a%2F..%2F.tmp%2Fx', '.%2F.tmp%2Fx', '.tmp%2F%2Fx']) expect([key, ...answer(await put(key))]).toEqual([key, 400, 'INVALID_PATH']);
    expect(fs.existsSync(tmp())).toBe(true);
    expect(await listed()).toEqual(['keep/me']);
    expect((await put('after/upload', 'ok')).statusCode).toBe(200);
  });

  it('makes the folder again if it goes missing on disk', async () => {
    fs.rmSync(tmp(), { recursive: true, force: true });
    expect((await put('after/loss', 'ok')).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/storage/after/loss')).body).toBe('ok');
    expect(await listed()).toEqual(['after/loss']);
  });

  it('takes names that only look like it', async () => {
    for (const key of ['.tmpx/a', 'x/.tmp/a', 'tmp/a']) expect([key, (await put(key)).statusCode]).toEqual([key, 200]);
    expect(await listed()).toEqual(['.tmpx/a', 'tmp/a', 'x/.tmp/a']);
  });
});

describe('storage: paths are taken as written', () => {
  // (inject, like browsers and curl, resolves a literal "/./" in a URL itself: encoded, it reaches the server)
  const bad = ['x//y', 'x%2F%2Fy', 'x%2F.%2Fy', '.%2Fx%2Fy', 'x/y%2F', 'x%2F%2E%2Fy'];
  for (const key of bad) {
    it(`refuses PUT "${key}" with INVALID_PATH and stores nothing`, async () => {
      const r = await put(key);
      expect(answer(r)).toEqual([400, 'INVALID_PATH']);
      expect(r.json().error.message).toMatch(/segment/);
      expect(await listed()).toEqual([]);
    });
  }

  it('refuses the same spellings to GET, DELETE and list', async () => {
    await put('x/y', 'y');
    for (const url of ['/api/v1/storage/x//y', '/api/v1/storage/x%2F.%2Fy', '/api/v1/storage?prefix=x//y', '/api/v1/storage?prefix=.%2Fx']) {
      expect([url, ...answer(await call('GET', url))]).toEqual([url, 400, 'INVALID_PATH']);
    }
    expect(answer(await call('DELETE', '/api/v1/storage/x//y'))).toEqual([400, 'INVALID_PATH']);
    expect(await listed()).toEqual(['x/y']);
  });
});
