/**
 * A path that would be both a file and a folder (`a` and `a/b`, in either order) is
 * refused with 409 PATH_CONFLICT wherever paths come in — a zip import (uploaded, or from
 * storage), a multipart import, a version's file PUT and multipart POST (plain, with a
 * prefix, or a zip), a task's uploaded code, a storage PUT — and nothing is kept: no
 * version, no task, no staged upload, no blob.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, testPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { multipart, type Part } from '../../../test/support/multipart.js';
import { rawZip } from '../../../test/support/raw-zip.js';

const SPEC = { source: { type: 'upload' }, format: 'custom', runtime: 'node20-handler', createModel: true };
const octet = { 'content-type': 'application/octet-stream' };

let p: TestPlatform;
beforeAll(async () => {
  p = await testPlatform();
});
afterAll(async () => {
  await p.close();
});

type Reply = { statusCode: number; json(): { error?: { code: string; message: string; details?: unknown } } };

const send = (url: string, parts: Part[]) => {
  const mp = multipart(parts);
  return p.app.inject({ method: 'POST', url, payload: mp.payload, headers: mp.headers });
};
const files = (names: string[]): Part[] => names.map((n, i) => ({ name: 'file', filename: n, data: Buffer.from(`${i}:${n}`) }));
const zipOf = (names: string[]) => rawZip(names.map((n) => ({ name: n, data: Buffer.from(n) })));
const importVersion = (model: string, parts: Part[]) => send(`/api/v1/models/${model}/versions`, [{ name: 'spec', value: JSON.stringify(SPEC) }, ...parts]);

/** Everything a refused request could have left: version rows, their files, staged uploads, blobs. */
async function snapshot() {
  const versions = await p.db.kysely.selectFrom('model_versions').select(['id', 'status']).orderBy('id').execute();
  const rows = await p.db.kysely.selectFrom('version_files').select(['version_id', 'path', 'sha256']).orderBy('version_id').orderBy('path').execute();
  const staging = fs.readdirSync(path.join(p.dataDir, 'staging'));
  const blobs = await p.blobs.list('');
  return { versions, rows, staging, blobs };
}

/** A ready version of `model` holding `names`. */
async function versionWith(model: string, names: string[]): Promise<string> {
  const r = await importVersion(model, files(names));
  expect(r.statusCode).toBe(202);
  const v = await eventually(async () => {
    const got = (await p.app.inject({ method: 'GET', url: `/api/v1/models/${model}/versions/${r.json().version}` })).json();
    return got.status !== 'importing' ? got : null;
  });
  expect(v.status).toBe('ready');
  // the importer clears the staged upload just after it records the version ready
  await eventually(() => fs.readdirSync(path.join(p.dataDir, 'staging')).length === 0, 10_000, 'the staged upload to go');
  return v.version as string;
}

function expectConflict(r: Reply, then: string) {
  expect([r.statusCode, r.json().error?.code]).toEqual([409, 'PATH_CONFLICT']);
  expect(r.json().error?.message).toContain(`"${then}"`);
}

// [first, then]: `then` makes a path both a file and a folder once `first` is there
const PAIRS: [string, string][] = [
  ['a', 'a/b'],
  ['a/b', 'a'],
  ['a', 'a/b/c'],
  ['d/e/f', 'd/e'],
  ['lib.py', 'lib.py/x.py'],
];

let n = 0;
const fresh = () => `pc${++n}`;

describe.each(PAIRS)('"%s" then "%s"', (first, then) => {
  it('in one zip import: 409, no version', async () => {
    const before = await snapshot();
    const r = await importVersion(fresh(), [{ name: 'file', filename: 'pkg.zip', data: zipOf(['pkg/ok.txt', `pkg/${first}`, `pkg/${then}`]) }]);
    expectConflict(r, `pkg/${then}`);
    expect(await snapshot()).toEqual(before);
  });

  it('in a zip imported from storage: 409, no version', async () => {
    const base = fresh();
    await p.app.inject({ method: 'PUT', url: `/api/v1/storage/${base}/pkg.zip`, payload: zipOf(['ok.txt', first, then]), headers: octet });
    const before = await snapshot();
    const r = await p.app.inject({
      method: 'POST',
      url: `/api/v1/models/${base}/versions`,
      payload: { ...SPEC, source: { type: 'storage', path: `${base}/pkg.zip` } },
    });
    expectConflict(r, then);
    expect(await snapshot()).toEqual(before);
  });

  it('in one multipart import: 409, no version', async () => {
    const before = await snapshot();
    expectConflict(await importVersion(fresh(), files(['ok.txt', first, then])), then);
    expect(await snapshot()).toEqual(before);
  });

  it("as a file PUT into a version that holds the other: 409, the version's files unchanged", async () => {
    const model = fresh();
    const v = await versionWith(model, [first]);
    const before = await snapshot();
    expectConflict(
      await p.app.inject({ method: 'PUT', url: `/api/v1/models/${model}/versions/${v}/files/${then}`, payload: Buffer.from('x'), headers: octet }),
      then,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('as a multipart POST of files into a version (plain, under a prefix, one zip): 409, nothing written', async () => {
    const model = fresh();
    const v = await versionWith(model, ['ok.txt', first, 'sub/x']);
    const url = `/api/v1/models/${model}/versions/${v}/files`;
    const before = await snapshot();
    // the clash with what the version holds, even next to a file that fits
    expectConflict(await send(url, files(['new.txt', then])), then);
    // within the upload itself
    expectConflict(await send(url, files([`w/${first}`, `w/${then}`])), `w/${then}`);
    // the prefix makes the clash: a folder where the version has a file
    expectConflict(await send(url, [{ name: 'prefix', value: first }, ...files(['x'])]), `${first}/x`);
    // a zip unpacked into the version
    expectConflict(
      await send(url, [
        { name: 'unzip', value: 'true' },
        { name: 'file', filename: 'more.zip', data: zipOf(['fits.txt', then]) },
      ]),
      then,
    );
    expect(await snapshot()).toEqual(before);
  });

  it("in a task's uploaded code (files, or one zip): 409, no task", async () => {
    const spec = { name: 'spec', value: JSON.stringify({ name: fresh(), runtime: 'node20-handler', code: { type: 'upload' }, command: 'node main.js' }) };
    const before = await snapshot();
    expectConflict(await send('/api/v1/tasks', [spec, ...files(['main.js', first, then])]), then);
    expectConflict(await send('/api/v1/tasks', [spec, { name: 'file', filename: 'code.zip', data: zipOf(['main.js', first, then]) }]), then);
    expect(await snapshot()).toEqual(before);
    expect((await p.db.kysely.selectFrom('tasks').select('name').execute()).length).toBe(0);
  });

  it('as storage PUTs: 409, the first object kept, the listing unchanged', async () => {
    const base = fresh();
    expect((await p.app.inject({ method: 'PUT', url: `/api/v1/storage/${base}/${first}`, payload: Buffer.from('1'), headers: octet })).statusCode).toBe(200);
    const before = await snapshot();
    expectConflict(await p.app.inject({ method: 'PUT', url: `/api/v1/storage/${base}/${then}`, payload: Buffer.from('2'), headers: octet }), `${base}/${then}`);
    expect(await snapshot()).toEqual(before);
    expect((await p.app.inject({ method: 'GET', url: `/api/v1/storage/${base}/${first}` })).body).toBe('1');
  });
});

describe('what is not a conflict', () => {
  it('takes siblings and look-alike names, and replaces a file with a file', async () => {
    const model = fresh();
    const v = await versionWith(model, ['a', 'a.txt', 'ab/c', 'a-b/c']);
    const put = await p.app.inject({ method: 'PUT', url: `/api/v1/models/${model}/versions/${v}/files/a`, payload: Buffer.from('again'), headers: octet });
    expect(put.statusCode).toBe(200);
    const more = await send(`/api/v1/models/${model}/versions/${v}/files`, files(['ab/d', 'a.txt']));
    expect(more.statusCode).toBe(200);
    const got = (await p.app.inject({ method: 'GET', url: `/api/v1/models/${model}/versions/${v}` })).json();
    expect(got.files.map((f: { path: string }) => f.path)).toEqual(['a', 'a-b/c', 'a.txt', 'ab/c', 'ab/d']);
  });
});
