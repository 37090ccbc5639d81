/**
 * A path a user gives is taken as written: an empty or `.` segment (`a//b`, `./a`,
 * `a/./b`, a trailing `/` on a file) is refused with 400 INVALID_PATH wherever one comes
 * in, never quietly rewritten into another path; and the object store's own area
 * (`.tmp/`) is out of reach wherever a storage path is taken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, testPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { multipart, type Part } from '../../../test/support/multipart.js';
import { rawZip } from '../../../test/support/raw-zip.js';

const SPEC = { source: { type: 'upload' }, format: 'custom', runtime: 'node20-handler', createModel: true };
const octet = { 'content-type': 'application/octet-stream' };
// encoded, so that the URL parser of inject (as of browsers and curl) does not resolve the "." itself
const BAD = ['a//b', 'a/./b', './a', 'a/b/'];
const enc = (p: string) => encodeURIComponent(p);

let p: TestPlatform;
beforeAll(async () => {
  p = await testPlatform();
  await p.app.inject({ method: 'PUT', url: '/api/v1/storage/src/pkg/a.txt', payload: Buffer.from('a'), headers: octet });
  const r = await importWith('has', [{ name: 'file', filename: 'a.txt', data: Buffer.from('a') }]);
  expect(r.statusCode).toBe(202);
  await eventually(async () => (await p.app.inject({ method: 'GET', url: '/api/v1/models/has/versions/v1' })).json().status === 'ready');
});
afterAll(async () => {
  await p.close();
});

function importWith(model: string, parts: Part[], spec: object = SPEC) {
  const mp = multipart([{ name: 'spec', value: JSON.stringify(spec) }, ...parts]);
  return p.app.inject({ method: 'POST', url: `/api/v1/models/${model}/versions`, payload: mp.payload, headers: mp.headers });
}
const post = (url: string, body: object) => p.app.inject({ method: 'POST', url, payload: body });
const postParts = (url: string, parts: Part[]) => {
  const mp = multipart(parts);
  return p.app.inject({ method: 'POST', url, payload: mp.payload, headers: mp.headers });
};
const task = (extra: object) =>
  post('/api/v1/tasks', { name: 'paths', runtime: 'node20-handler', code: { type: 'storage', path: 'src/pkg' }, command: 'node a.txt', ...extra });

type Send = (bad: string) => Promise<{ statusCode: number; json(): { error?: { code: string; message: string } } }>;
const SURFACES: [string, Send, string?][] = [
  ['storage PUT', (b) => p.app.inject({ method: 'PUT', url: `/api/v1/storage/${enc(b)}`, payload: Buffer.from('x'), headers: octet })],
  ['storage GET', (b) => p.app.inject({ method: 'GET', url: `/api/v1/storage/${enc(b)}` })],
  ['storage DELETE', (b) => p.app.inject({ method: 'DELETE', url: `/api/v1/storage/${enc(b)}?recursive=true` })],
  [
    'version file PUT',
    (b) => p.app.inject({ method: 'PUT', url: `/api/v1/models/has/versions/v1/files/${enc(b)}`, payload: Buffer.from('x'), headers: octet }),
  ],
  ['version file GET', (b) => p.app.inject({ method: 'GET', url: `/api/v1/models/has/versions/v1/files/${enc(b)}` })],
  ['version file DELETE', (b) => p.app.inject({ method: 'DELETE', url: `/api/v1/models/has/versions/v1/files/${enc(b)}` })],
  ['file name in a multipart import', (b) => importWith('mp', [{ name: 'file', filename: b, data: Buffer.from('x') }])],
  ['file name in a version files POST', (b) => postParts('/api/v1/models/has/versions/v1/files', [{ name: 'file', filename: b, data: Buffer.from('x') }])],
  [
    'entry name in a zip import',
    (b) => importWith('zipped', [{ name: 'file', filename: 'p.zip', data: rawZip([{ name: `pkg/${b.replace(/\/$/, '//')}`, data: Buffer.from('x') }]) }]),
    'UNSAFE_ARCHIVE_ENTRY',
  ],
  [
    'prefix of a version files POST',
    (b) =>
      postParts('/api/v1/models/has/versions/v1/files', [
        { name: 'prefix', value: b.replace(/\/$/, '//') },
        { name: 'file', filename: 'x.txt', data: Buffer.from('x') },
      ]),
  ],
  ['storage import path', (b) => post('/api/v1/models/imp/versions', { ...SPEC, source: { type: 'storage', path: b.replace(/\/$/, '//') } })],
  ['task output', (b) => task({ output: b.replace(/\/$/, '//') })],
  ['task input', (b) => task({ inputs: { data: b.replace(/\/$/, '//') } })],
];

describe.each(SURFACES)('%s', (_surface, send, code = 'INVALID_PATH') => {
  it.each(BAD)(`refuses "%s" as written with 400 ${code}`, async (bad) => {
    const r = await send(bad);
    expect([r.statusCode, r.json().error?.code]).toEqual([400, code]);
    expect(r.json().error?.message).toMatch(/segment/);
  });
});

describe('nothing came of the refused paths', () => {
  it('stored no object, version or task', async () => {
    const objects = (await p.app.inject({ method: 'GET', url: '/api/v1/storage' })).json().items.map((o: { path: string }) => o.path);
    expect(objects.filter((k: string) => !k.startsWith('models/'))).toEqual(['src/pkg/a.txt']);
    expect((await p.app.inject({ method: 'GET', url: '/api/v1/models/has/versions/v1' })).json().files.map((f: { path: string }) => f.path)).toEqual(['a.txt']);
    expect((await p.app.inject({ method: 'GET', url: '/api/v1/models' })).json().items.map((m: { name: string }) => m.name)).toEqual(['has']);
    expect((await p.app.inject({ method: 'GET', url: '/api/v1/tasks/paths' })).statusCode).toBe(404);
  });
});

describe("the store's own area (.tmp/) as a storage path", () => {
  it('is refused for imports and task outputs and inputs', async () => {
    const imp = await post('/api/v1/models/imp/versions', { ...SPEC, source: { type: 'storage', path: '.tmp' } });
    expect([imp.statusCode, imp.json().error.code]).toEqual([400, 'INVALID_PATH']);
    for (const extra of [{ output: '.tmp/out' }, { inputs: { data: '.tmp' } }]) {
      const r = await task(extra);
      expect([JSON.stringify(extra), r.statusCode, r.json().error.code]).toEqual([JSON.stringify(extra), 400, 'INVALID_PATH']);
    }
  });
});
