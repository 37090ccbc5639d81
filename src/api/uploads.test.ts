/**
 * A multipart body the parser cannot read answers 400 INVALID_MULTIPART on every route
 * that takes one (model import, a version's files, a task's code), and keeps nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, testPlatform, type TestPlatform } from '../../test/support/platform.js';
import { multipart } from '../../test/support/multipart.js';

let p: TestPlatform;
beforeAll(async () => {
  p = await testPlatform();
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime: 'node20-handler', createModel: true }) },
    { name: 'file', filename: 'a.txt', data: Buffer.from('a') },
  ]);
  expect((await p.app.inject({ method: 'POST', url: '/api/v1/models/has/versions', payload: mp.payload, headers: mp.headers })).statusCode).toBe(202);
  await eventually(async () => (await p.app.inject({ method: 'GET', url: '/api/v1/models/has/versions/v1' })).json().status === 'ready');
  // the importer clears the staged upload just after it records the version ready
  await eventually(() => fs.readdirSync(path.join(p.dataDir, 'staging')).length === 0, 10_000, 'the staged upload to go');
});
afterAll(async () => {
  await p.close();
});

const B = 'XyZboundary';
const ctype = `multipart/form-data; boundary=${B}`;
const modelSpec = JSON.stringify({ source: { type: 'upload' }, format: 'custom', runtime: 'node20-handler', createModel: true });
const taskSpec = JSON.stringify({ name: 'mp-task', runtime: 'node20-handler', code: { type: 'upload' }, command: 'node main.js' });
const field = (name: string, value: string) => `--${B}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const fileHead = (name: string) =>
  `--${B}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`;

const ROUTES: [string, string, string][] = [
  ['model import', '/api/v1/models/mp/versions', field('spec', modelSpec)],
  ["a version's files", '/api/v1/models/has/versions/v1/files', field('prefix', 'more')],
  ['task code', '/api/v1/tasks', field('spec', taskSpec)],
];

// [what, content-type, body after the route's first field]
const BODIES: [string, string, (first: string) => string][] = [
  ['no boundary in the Content-Type', 'multipart/form-data', (f) => f + `--${B}--\r\n`],
  ['a body that is not multipart at all', ctype, () => 'just some text, no boundary anywhere'],
  ['a JSON body sent as multipart', ctype, () => '{"source":{"type":"upload"}}'],
  ['cut short inside a file', ctype, (f) => f + fileHead('main.js') + 'console.log(1)'],
  ['cut short inside part headers', ctype, (f) => f + `--${B}\r\nContent-Disposition: form-da`],
  ['cut short after a field, before the closing boundary', ctype, (f) => f],
  ['a boundary longer than the parser takes', `multipart/form-data; boundary=${'b'.repeat(300)}`, (f) => f],
];

async function snapshot() {
  const versions = await p.db.kysely.selectFrom('model_versions').select(['id', 'status']).orderBy('id').execute();
  const tasks = await p.db.kysely.selectFrom('tasks').select(['name']).execute();
  const files = await p.db.kysely.selectFrom('version_files').select(['path']).orderBy('path').execute();
  return { versions, tasks, files, staging: fs.readdirSync(path.join(p.dataDir, 'staging')), blobs: await p.blobs.list('') };
}

describe.each(ROUTES)('malformed multipart: %s', (_route, url, first) => {
  it.each(BODIES)('%s → 400 INVALID_MULTIPART, nothing kept', async (_what, contentType, body) => {
    const before = await snapshot();
    const r = await p.app.inject({ method: 'POST', url, payload: Buffer.from(body(first)), headers: { 'content-type': contentType } });
    expect([r.statusCode, r.json().error?.code], r.body).toEqual([400, 'INVALID_MULTIPART']);
    expect(r.json().error.message).toMatch(/multipart/);
    expect(await snapshot()).toEqual(before);
  });
});

describe('malformed multipart on any route', () => {
  it('never answers 5xx: every POST, PUT and PATCH of the OpenAPI document answers a 4xx in the documented shape', async () => {
    const doc = (await p.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const seen: string[] = [];
    for (const [route, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops).filter((m) => ['post', 'put', 'patch'].includes(m))) {
        const url = route
          .replace(/\{\*\}/g, 'x/y')
          .replace(/\{version\}/g, 'v1')
          .replace(/\{[^}]+\}/g, 'has');
        for (const [, contentType, body] of BODIES) {
          const r = await p.app.inject({
            method: method.toUpperCase() as 'POST',
            url,
            payload: Buffer.from(body(field('spec', '{}'))),
            headers: { 'content-type': contentType },
          });
          const what = `${method} ${url} (${contentType.slice(0, 40)})`;
          expect([what, r.statusCode < 500], r.body).toEqual([what, true]);
          // the raw PUTs (version files, storage objects) store any body as bytes, as S3 does
          const raw = method === 'put' && /\/files\/|\/storage\//.test(url);
          if (raw && r.statusCode < 300) continue;
          if (r.statusCode !== 404 || url.startsWith('/api/')) expect(typeof r.json().error?.code, `${what}: ${r.body}`).toBe('string');
          seen.push(what);
        }
      }
    }
    expect(seen.length).toBeGreaterThan(40);
  });
});
