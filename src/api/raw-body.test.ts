import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, testPlatform, type TestPlatform } from '../../test/support/platform.js';
import { multipart } from '../../test/support/multipart.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let p: TestPlatform;
beforeAll(async () => {
  p = await testPlatform();
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime: 'node20-handler', createModel: true }) },
    { name: 'file', filename: 'handler.js', data: Buffer.from('module.exports = {}') },
  ]);
  await p.app.inject({ method: 'POST', url: '/api/v1/models/raw/versions', payload: mp.payload, headers: mp.headers });
  await eventually(
    async () => (await p.app.inject({ method: 'GET', url: '/api/v1/models/raw/versions/v1' })).json().status === 'ready',
    30_000,
    'the version to be ready',
  );
});
afterAll(async () => {
  await p.close();
});

// Bytes no JSON, form or multipart parser would take as they are.
const BYTES = Buffer.concat([Buffer.from('{"not": json at all &a=b\r\n--x\r\n'), Buffer.from([0, 1, 2, 255, 254])]);

const CONTENT_TYPES: (string | undefined)[] = [
  'application/octet-stream',
  'application/x-www-form-urlencoded', // curl --data-binary's default
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'multipart/form-data', // no boundary
  'multipart/form-data; boundary=x',
  'image/png',
  'not a media type',
  undefined,
];

const ROUTES = [
  { what: 'a storage object', put: (n: number) => `/api/v1/storage/data/raw/${n}.bin`, get: (n: number) => `/api/v1/storage/data/raw/${n}.bin` },
  {
    what: 'a version file',
    put: (n: number) => `/api/v1/models/raw/versions/v1/files/w/${n}.bin`,
    get: (n: number) => `/api/v1/models/raw/versions/v1/files/w/${n}.bin`,
  },
];

describe('a raw PUT takes its body whatever the Content-Type, as S3 does', () => {
  for (const route of ROUTES) {
    it(`stores ${route.what} byte for byte under every Content-Type, or none`, async () => {
      const got: unknown[] = [];
      for (const [n, type] of CONTENT_TYPES.entries()) {
        const put = await p.app.inject({ method: 'PUT', url: route.put(n), payload: BYTES, headers: type === undefined ? {} : { 'content-type': type } });
        const back = await p.app.inject({ method: 'GET', url: route.get(n) });
        got.push([type, put.statusCode, put.json().size, put.json().sha256, back.rawPayload.equals(BYTES)]);
      }
      expect(got).toEqual(CONTENT_TYPES.map((type) => [type, 200, BYTES.length, sha(BYTES), true]));
    });

    it(`stores an empty ${route.what} when the PUT has no body at all`, async () => {
      const put = await p.app.inject({ method: 'PUT', url: route.put(99) });
      expect([put.statusCode, put.json().size]).toEqual([200, 0]);
      expect((await p.app.inject({ method: 'GET', url: route.get(99) })).rawPayload.length).toBe(0);
    });
  }

  it('leaves the other routes parsing as before: JSON is JSON, and a form is still refused', async () => {
    const created = await p.app.inject({ method: 'POST', url: '/api/v1/models', payload: { name: 'json-still', description: 'parsed' } });
    expect([created.statusCode, created.json().description]).toEqual([201, 'parsed']);
    const bad = await p.app.inject({ method: 'POST', url: '/api/v1/models', payload: '{"name": "x"', headers: { 'content-type': 'application/json' } });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'INVALID_JSON']);
    const form = await p.app.inject({
      method: 'POST',
      url: '/api/v1/models',
      payload: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([form.statusCode, form.json().error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it("takes curl's defaults over a real connection: a form-typed body, and a streamed one with no Content-Type", async () => {
    const base = await p.app.listen({ port: 0, host: '127.0.0.1' });
    // curl --data-binary @file: Content-Type application/x-www-form-urlencoded, with a length
    const put = await fetch(`${base}/api/v1/storage/data/curl/a.bin`, {
      method: 'PUT',
      body: BYTES,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([put.status, ((await put.json()) as { size: number }).size]).toEqual([200, BYTES.length]);
    // curl -T -: chunked, no Content-Type
    const chunks = [BYTES.subarray(0, 7), BYTES.subarray(7)];
    const stream = new ReadableStream({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()) : c.close()) });
    const streamed = await fetch(`${base}/api/v1/models/raw/versions/v1/files/curl.bin`, { method: 'PUT', body: stream, duplex: 'half' } as RequestInit);
    expect([streamed.status, ((await streamed.json()) as { sha256: string }).sha256]).toEqual([200, sha(BYTES)]);
    const back = await fetch(`${base}/api/v1/models/raw/versions/v1/files/curl.bin`);
    expect(Buffer.from(await back.arrayBuffer()).equals(BYTES)).toBe(true);
  });
});
