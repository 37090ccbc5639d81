import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, testPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { multipart } from '../../../test/support/multipart.js';
import { rawZip } from '../../../test/support/raw-zip.js';
import { ServicesRepo } from '../../services/services-repo.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const SPEC = { source: { type: 'upload' }, format: 'torchscript', runtime: 'torch1.13-py311-cpu', createModel: true };

let p: TestPlatform;
beforeEach(async () => {
  p = await testPlatform();
});
afterEach(async () => {
  await p.close();
});

const json = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  p.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });

async function upload(model: string, files: Record<string, Buffer | string>, spec: object = SPEC) {
  const parts = [
    { name: 'spec', value: JSON.stringify(spec) },
    ...Object.entries(files).map(([f, d]) => ({ name: 'file', filename: f, data: Buffer.from(d) })),
  ];
  const mp = multipart(parts);
  return p.app.inject({ method: 'POST', url: `/api/v1/models/${model}/versions`, payload: mp.payload, headers: mp.headers });
}

async function ready(model: string, v: string) {
  return eventually(
    async () => {
      const r = (await json('GET', `/api/v1/models/${model}/versions/${v}`)).json();
      return r.status !== 'importing' ? r : null;
    },
    30_000,
    `${model} ${v} to finish importing`,
  );
}

/** What the store holds: version rows, staging leftovers and blob files. Bad input must change none of it. */
async function snapshot() {
  const versions = await p.db.kysely.selectFrom('model_versions').select(['id', 'status']).execute();
  const staging = fs.readdirSync(path.join(p.dataDir, 'staging'));
  const blobs = (await p.blobs.list('')).map((b) => b.key);
  return { versions, staging, blobs };
}

async function unzip(buf: Buffer): Promise<Record<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.fromBuffer(buf, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z!))));
  const out: Record<string, Buffer> = {};
  await new Promise<void>((res, rej) => {
    zip.on('entry', (entry: yauzl.Entry) =>
      zip.openReadStream(entry, async (e, s) => {
        if (e) return rej(e);
        const parts: Buffer[] = [];
        for await (const c of s!) parts.push(c as Buffer);
        out[entry.fileName] = Buffer.concat(parts);
        zip.readEntry();
      }),
    );
    zip.on('end', res);
    zip.readEntry();
  });
  return out;
}

describe('models', () => {
  it('creates, lists with filters and paging, shows, updates and deletes models', async () => {
    expect((await json('POST', '/api/v1/models', { name: 'mnist_train', description: 'digits', tags: { team: 'cv', stage: 'dev' } })).statusCode).toBe(201);
    await json('POST', '/api/v1/models', { name: 'classify', tags: { team: 'cv' } });
    await json('POST', '/api/v1/models', { name: 'speech-2', description: 'audio' });

    const dup = await json('POST', '/api/v1/models', { name: 'classify' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('MODEL_EXISTS');

    expect((await json('GET', '/api/v1/models')).json().total).toBe(3);
    expect((await json('GET', '/api/v1/models?keyword=DIGIT')).json().items.map((m: { name: string }) => m.name)).toEqual(['mnist_train']);
    expect((await json('GET', '/api/v1/models?tag=team=cv')).json().total).toBe(2);
    expect((await json('GET', '/api/v1/models?tag=team=cv&tag=stage=dev')).json().items.map((m: { name: string }) => m.name)).toEqual(['mnist_train']);
    const page = (await json('GET', '/api/v1/models?limit=2&offset=2')).json();
    expect([page.items.length, page.total]).toEqual([1, 3]);

    await upload('classify', { 'model.pt': 'weights' }, { ...SPEC, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu' });
    await ready('classify', 'v1');
    expect((await json('GET', '/api/v1/models?format=onnx')).json().items.map((m: { name: string }) => m.name)).toEqual(['classify']);
    expect((await json('GET', '/api/v1/models?source=storage')).json().total).toBe(0);

    const patched = await json('PATCH', '/api/v1/models/classify', { description: 'ImageNet', tags: { team: 'ml' } });
    expect(patched.json()).toMatchObject({ description: 'ImageNet', tags: { team: 'ml' }, latestVersion: 'v1', versionCount: 1 });

    const shown = (await json('GET', '/api/v1/models/classify')).json();
    expect(shown.versions.map((v: { version: string }) => v.version)).toEqual(['v1']);

    expect((await json('DELETE', '/api/v1/models/classify')).statusCode).toBe(204);
    expect((await json('GET', '/api/v1/models/classify')).json().error.code).toBe('MODEL_NOT_FOUND');
    expect(await p.blobs.list('models/classify')).toEqual([]);
  });

  it('refuses bad names with the field named', async () => {
    for (const name of ['', '-lead', 'a'.repeat(61), 'has space', 'ü-nicode', 'a/b']) {
      const r = await json('POST', '/api/v1/models', { name });
      expect([name, r.statusCode, r.json().error.code]).toEqual([name, 400, 'INVALID_NAME']);
      expect(r.json().error.details.fields[0].field).toBe('name');
    }
    expect((await json('POST', '/api/v1/models', { name: 'a'.repeat(60) })).statusCode).toBe(201);
  });

  it('refuses to delete a model a service uses', async () => {
    await json('POST', '/api/v1/models', { name: 'used' });
    // a service row naming the model, as creating a service writes it (no instance is needed to refuse)
    await new ServicesRepo(p.db.kysely).create(
      { name: 'svc-a', description: '', tags: {}, billingMode: 'postpaid', auth: false },
      { modelName: 'used', modelVersion: 1, runtime: 'onnxruntime1.30-node20-cpu', spec: {}, weight: 100, desiredInstances: 0 },
    );
    const r = await json('DELETE', '/api/v1/models/used');
    expect([r.statusCode, r.json().error.code]).toEqual([409, 'MODEL_IN_USE']);
  });

  it('keeps the stored files when asked to', async () => {
    await upload('keep', { 'a.txt': 'A' });
    const v = await ready('keep', 'v1');
    await json('DELETE', '/api/v1/models/keep?keepFiles=true');
    expect((await p.blobs.list(v.storagePath)).length).toBe(1);
  });
});

describe('importing versions', () => {
  it('imports an uploaded folder, serves each file and the zip byte for byte', async () => {
    const files = { 'model.pt': Buffer.from([0, 1, 2, 255]), 'code/model_service.py': 'import tiinfer\n', '配置.json': '{"a":1}' };
    const r = await upload('mnist_train', files, { ...SPEC, metrics: { accuracy: 0.98 }, description: 'first' });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ model: 'mnist_train', version: 'v1', status: 'importing' });
    const v = await ready('mnist_train', 'v1');
    expect(v).toMatchObject({ status: 'ready', fileCount: 3, metrics: { accuracy: 0.98 }, source: { type: 'upload', files: 3 } });
    for (const [name, data] of Object.entries(files)) {
      expect(v.files.find((f: { path: string }) => f.path === name).sha256).toBe(sha(Buffer.from(data)));
      const got = await json('GET', `/api/v1/models/mnist_train/versions/v1/files/${encodeURIComponent(name).replace(/%2F/g, '/')}`);
      expect(got.rawPayload.equals(Buffer.from(data))).toBe(true);
      expect(got.headers['x-sha256']).toBe(sha(Buffer.from(data)));
    }
    const zip = await unzip((await json('GET', '/api/v1/models/mnist_train/versions/v1/archive')).rawPayload);
    expect(Object.keys(zip).sort()).toEqual(Object.keys(files).sort());
    for (const [name, data] of Object.entries(files)) expect(sha(zip[name]!)).toBe(sha(Buffer.from(data)));
  });

  it('unpacks a single zip and drops its one top folder', async () => {
    const zip = rawZip([
      { name: 'classify/' },
      { name: 'classify/model_service.py', data: Buffer.from('x') },
      { name: 'classify/labels/l.txt', data: Buffer.from('cat'), deflate: true },
    ]);
    await upload('classify', { 'classify.zip': zip }, { ...SPEC, source: { type: 'upload' } });
    const v = await ready('classify', 'v1');
    expect(v.files.map((f: { path: string }) => f.path)).toEqual(['labels/l.txt', 'model_service.py']);
  });

  it('numbers concurrent imports v1…vN without gaps or repeats', async () => {
    await json('POST', '/api/v1/models', { name: 'busy' });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => upload('busy', { 'f.txt': `n${i}` })));
    const numbers = results.map((r) => r.json().number).sort((a, b) => a - b);
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('imports from object storage by copy, and by move removing the source only after', async () => {
    await p.app.inject({
      method: 'PUT',
      url: '/api/v1/storage/cos/bucket/m/model.onnx',
      payload: Buffer.from('onnx!'),
      headers: { 'content-type': 'application/octet-stream' },
    });
    await p.app.inject({
      method: 'PUT',
      url: '/api/v1/storage/cos/bucket/m/modeldock.json',
      payload: Buffer.from('{}'),
      headers: { 'content-type': 'application/octet-stream' },
    });
    const spec = { source: { type: 'storage', path: 'cos/bucket/m' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true };
    expect((await json('POST', '/api/v1/models/sq/versions', spec)).statusCode).toBe(202);
    expect((await ready('sq', 'v1')).files.map((f: { path: string }) => f.path)).toEqual(['model.onnx', 'modeldock.json']);
    expect((await json('GET', '/api/v1/storage?prefix=cos/bucket/m')).json().items).toHaveLength(2);

    await json('POST', '/api/v1/models/sq/versions', { ...spec, moveMode: 'move' });
    const v2 = await ready('sq', 'v2');
    expect([v2.status, v2.moveMode, v2.fileCount]).toEqual(['ready', 'move', 2]);
    // the originals go right after the version is recorded ready (never before)
    await eventually(async () => (await json('GET', '/api/v1/storage?prefix=cos/bucket/m')).json().items.length === 0, 10_000, 'the moved originals to go');

    const missing = await json('POST', '/api/v1/models/sq/versions', spec);
    expect([missing.statusCode, missing.json().error.code]).toEqual([400, 'SOURCE_NOT_FOUND']);
  });

  it('imports a local folder only under an allowed root', async () => {
    const root = fs.mkdtempSync(path.join(p.dataDir, '..', 'md-root-'));
    fs.mkdirSync(path.join(root, 'pkg'));
    fs.writeFileSync(path.join(root, 'pkg', 'model.pt'), 'w');
    const spec = (dir: string) => ({
      source: { type: 'storage', path: `file://${dir}` },
      format: 'torchscript',
      runtime: 'torch1.13-py311-cpu',
      createModel: true,
    });
    const off = await json('POST', '/api/v1/models/local/versions', spec(path.join(root, 'pkg')));
    expect([off.statusCode, off.json().error.code]).toEqual([403, 'LOCAL_PATH_NOT_ALLOWED']);
    await p.close();
    p = await testPlatform({ importRoots: [root] });
    expect((await json('POST', '/api/v1/models/local/versions', spec(path.join(root, 'pkg')))).statusCode).toBe(202);
    expect((await ready('local', 'v1')).files).toHaveLength(1);
    const outside = await json('POST', '/api/v1/models/local/versions', spec('/etc'));
    expect(outside.json().error.code).toBe('LOCAL_PATH_NOT_ALLOWED');
    const sneaky = await json('POST', '/api/v1/models/local/versions', spec(`${root}/../`));
    expect(sneaky.json().error.code).toBe('LOCAL_PATH_NOT_ALLOWED');
  });

  it('answers a clear error for an unknown task, an unknown runtime, and long metrics', async () => {
    const task = await json('POST', '/api/v1/models/t/versions', {
      source: { type: 'task', task: 'mnist_train' },
      format: 'torchscript',
      runtime: 'torch1.13-py311-cpu',
      createModel: true,
    });
    expect([task.statusCode, task.json().error.code]).toEqual([404, 'TASK_NOT_FOUND']);
    const rt = await upload('t', { a: 'a' }, { ...SPEC, runtime: 'tensorflow9' });
    expect([rt.statusCode, rt.json().error.code]).toEqual([400, 'UNKNOWN_RUNTIME']);
    const metrics = await upload('t', { a: 'a' }, { ...SPEC, metrics: 'x'.repeat(1001) });
    expect([metrics.statusCode, metrics.json().error.code]).toEqual([400, 'INVALID_ARGUMENT']);
    const fmt = await json('POST', '/api/v1/models/t/versions', { source: { type: 'storage', path: 'x' }, format: 'tensorflow', runtime: 'x' });
    expect(fmt.json().error.details.fields.map((f: { field: string }) => f.field)).toContain('format');
    expect((await json('GET', '/api/v1/models/t')).statusCode).toBe(404);
  });

  it('resumes an import that a restart interrupted', async () => {
    await p.app.inject({
      method: 'PUT',
      url: '/api/v1/storage/data/x/w.bin',
      payload: Buffer.from('w'),
      headers: { 'content-type': 'application/octet-stream' },
    });
    const m = await p.models.repo.createModel({ name: 'resume', description: '', tags: {} });
    const n = await p.models.repo.allocateVersionNumber(m.id);
    // The row exists but no job ran: as if the process died right after answering 202.
    await p.models.repo.insertVersion({
      modelId: m.id,
      number: n,
      sourceType: 'storage',
      source: { type: 'storage', path: 'data/x' },
      format: 'custom',
      runtime: 'node20-handler',
      metrics: null,
      moveMode: 'copy',
      description: '',
      storagePath: 'models/resume/v1-test',
    });
    await p.close();
    p = await testPlatform({ dataDir: p.dataDir });
    expect((await ready('resume', 'v1')).status).toBe('ready');
  });
});

describe('version files', () => {
  it('adds, replaces and deletes files of a ready version (TI-ONE upload step)', async () => {
    await upload('m', { 'model.pt': 'w' });
    await ready('m', 'v1');
    const put = await p.app.inject({
      method: 'PUT',
      url: '/api/v1/models/m/versions/v1/files/model_service.py',
      payload: Buffer.from('print(1)'),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(put.json()).toEqual({ path: 'model_service.py', size: 8, sha256: sha('print(1)') });
    const mp = multipart([
      { name: 'prefix', value: 'cfg' },
      { name: 'f', filename: 'config.json', data: Buffer.from('{}') },
      { name: 'f', filename: 'labels.txt', data: Buffer.from('cat') },
    ]);
    const many = await p.app.inject({ method: 'POST', url: '/api/v1/models/m/versions/latest/files', payload: mp.payload, headers: mp.headers });
    expect(many.json().items.map((f: { path: string }) => f.path)).toEqual(['cfg/config.json', 'cfg/labels.txt']);
    await p.app.inject({
      method: 'PUT',
      url: '/api/v1/models/m/versions/1/files/model.pt',
      payload: Buffer.from('w2'),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect((await json('DELETE', '/api/v1/models/m/versions/v1/files/cfg/labels.txt')).statusCode).toBe(204);
    const v = (await json('GET', '/api/v1/models/m/versions/v1')).json();
    expect(v.files.map((f: { path: string; size: number }) => [f.path, f.size])).toEqual([
      ['cfg/config.json', 2],
      ['model.pt', 2],
      ['model_service.py', 8],
    ]);
    expect([v.fileCount, v.size]).toEqual([3, 12]);
    expect((await json('DELETE', '/api/v1/models/m/versions/v1/files/nope')).json().error.code).toBe('FILE_NOT_FOUND');
  });

  it('refuses file paths that escape the version', async () => {
    await upload('esc', { 'a.txt': 'a' });
    const v = await ready('esc', 'v1');
    for (const bad of ['..%2F..%2F..%2Fx', '%2Fetc%2Fpasswd', 'a%5Cb', 'a%00b']) {
      const r = await p.app.inject({
        method: 'PUT',
        url: `/api/v1/models/esc/versions/v1/files/${bad}`,
        payload: Buffer.from('x'),
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect([bad, r.statusCode, r.json().error.code]).toEqual([bad, 400, 'INVALID_PATH']);
    }
    expect((await p.blobs.list(v.storagePath)).map((b) => b.key)).toEqual([`${v.storagePath}/a.txt`]);
  });

  it('notices a stored file that changed on disk', async () => {
    await upload('c', { 'w.bin': 'original' });
    const v = await ready('c', 'v1');
    fs.writeFileSync(path.join(p.dataDir, 'blobs', v.storagePath, 'w.bin'), 'tampered');
    const r = await json('GET', '/api/v1/models/c/versions/v1/files/w.bin');
    expect([r.statusCode, r.json().error.code]).toEqual([500, 'BLOB_CORRUPT']);
    expect(r.json().error.id).toBeTruthy();
  });
});

describe('bad input leaves nothing behind', () => {
  const cases: [string, () => Promise<{ statusCode: number; json(): { error: { code: string } } }>, number, string][] = [
    ['zip slip ../', () => upload('bad', { 'x.zip': rawZip([{ name: '../evil.py', data: Buffer.from('x') }]) }), 400, 'UNSAFE_ARCHIVE_ENTRY'],
    [
      'zip slip nested',
      () =>
        upload('bad', {
          'x.zip': rawZip([
            { name: 'ok.txt', data: Buffer.from('x') },
            { name: 'a/../../evil', data: Buffer.from('x') },
          ]),
        }),
      400,
      'UNSAFE_ARCHIVE_ENTRY',
    ],
    ['absolute zip entry', () => upload('bad', { 'x.zip': rawZip([{ name: '/etc/cron.d/x', data: Buffer.from('x') }]) }), 400, 'UNSAFE_ARCHIVE_ENTRY'],
    [
      'symlink in zip',
      () => upload('bad', { 'x.zip': rawZip([{ name: 'link', data: Buffer.from('/etc/passwd'), symlink: true }]) }),
      400,
      'UNSAFE_ARCHIVE_ENTRY',
    ],
    [
      'duplicate zip entries',
      () =>
        upload('bad', {
          'x.zip': rawZip([
            { name: 'a', data: Buffer.from('1') },
            { name: 'a', data: Buffer.from('2') },
          ]),
        }),
      400,
      'UNSAFE_ARCHIVE_ENTRY',
    ],
    [
      'zip bomb by ratio',
      () => upload('bad', { 'x.zip': rawZip([{ name: 'zeros.bin', data: Buffer.alloc(64 * 1024 * 1024), deflate: true }]) }),
      413,
      'ARCHIVE_TOO_LARGE',
    ],
    [
      'zip lying about sizes',
      () => upload('bad', { 'x.zip': rawZip([{ name: 'z.bin', data: Buffer.alloc(4 * 1024 * 1024), deflate: true, declaredSize: 10 }]) }),
      400,
      'INVALID_ARCHIVE',
    ],
    ['not a zip', () => upload('bad', { 'x.zip': Buffer.from('PK but not really') }), 400, 'INVALID_ARCHIVE'],
    ['control characters in a file name', () => upload('bad', { 'a\u0001b.py': 'x' }), 400, 'INVALID_PATH'],
    ['../ in a file name', () => upload('bad', { '../../etc/passwd': 'x' }), 400, 'INVALID_PATH'],
    ['no files', () => upload('bad', {}), 400, 'EMPTY_IMPORT'],
    [
      'no spec',
      async () => {
        const mp = multipart([{ name: 'f', filename: 'a', data: Buffer.from('a') }]);
        return p.app.inject({ method: 'POST', url: '/api/v1/models/bad/versions', payload: mp.payload, headers: mp.headers });
      },
      400,
      'INVALID_ARGUMENT',
    ],
    [
      'spec as a JSON part with a bad field',
      async () => {
        const b = 'XbX';
        const payload = Buffer.from(
          `--${b}\r\nContent-Disposition: form-data; name="spec"\r\nContent-Type: application/json\r\n\r\n{"source":{"type":"upload"},"format":"nope","runtime":"x"}\r\n--${b}--\r\n`,
        );
        return p.app.inject({ method: 'POST', url: '/api/v1/models/bad/versions', payload, headers: { 'content-type': `multipart/form-data; boundary=${b}` } });
      },
      400,
      'INVALID_ARGUMENT',
    ],
    [
      'spec not JSON',
      async () => {
        const mp = multipart([{ name: 'spec', value: '{nope' }]);
        return p.app.inject({ method: 'POST', url: '/api/v1/models/bad/versions', payload: mp.payload, headers: mp.headers });
      },
      400,
      'INVALID_JSON',
    ],
    ['bad model name in path', () => upload('bad!name', { a: 'a' }), 400, 'INVALID_NAME'],
    [
      'malformed JSON body',
      () => p.app.inject({ method: 'POST', url: '/api/v1/models', payload: '{"name":', headers: { 'content-type': 'application/json' } }),
      400,
      'INVALID_JSON',
    ],
    ['unknown field', () => json('POST', '/api/v1/models', { name: 'x', colour: 'red' }), 400, 'INVALID_ARGUMENT'],
    ['wrong type', () => json('POST', '/api/v1/models', { name: 42 }), 400, 'INVALID_ARGUMENT'],
    [
      'storage path traversal',
      () =>
        p.app.inject({
          method: 'PUT',
          url: '/api/v1/storage/a/..%2F..%2F..%2Fetc%2Fx',
          payload: Buffer.from('x'),
          headers: { 'content-type': 'application/octet-stream' },
        }),
      400,
      'INVALID_PATH',
    ],
    [
      'write into the repository area',
      () =>
        p.app.inject({ method: 'PUT', url: '/api/v1/storage/models/x/y', payload: Buffer.from('x'), headers: { 'content-type': 'application/octet-stream' } }),
      403,
      'FORBIDDEN',
    ],
    ['unknown route', () => json('GET', '/api/v1/nothing'), 404, 'ROUTE_NOT_FOUND'],
    ['wrong method', () => json('PUT', '/api/v1/models'), 405, 'METHOD_NOT_ALLOWED'],
    ['unknown version', () => json('GET', '/api/v1/models/bad/versions/v9'), 404, 'MODEL_NOT_FOUND'],
  ];

  for (const [name, send, status, code] of cases) {
    it(name, async () => {
      const before = await snapshot();
      const r = await send();
      expect([r.statusCode, r.json().error.code]).toEqual([status, code]);
      expect(await snapshot()).toEqual(before);
    });
  }

  it('refuses an upload over the size limit and keeps nothing', async () => {
    await p.close();
    p = await testPlatform({ limits: { maxUploadBytes: 1024 } });
    const before = await snapshot();
    const r = await upload('big', { 'w.bin': Buffer.alloc(4096) });
    expect([r.statusCode, r.json().error.code]).toEqual([413, 'UPLOAD_TOO_LARGE']);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a zip with too many entries', async () => {
    await p.close();
    p = await testPlatform({ limits: { maxArchiveEntries: 3 } });
    const r = await upload('many', { 'x.zip': rawZip(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: Buffer.from('x') }))) });
    expect([r.statusCode, r.json().error.code]).toEqual([413, 'ARCHIVE_TOO_LARGE']);
  });
});

describe('platform', () => {
  it('serves health, the runtime catalog and an OpenAPI document of its routes', async () => {
    expect((await json('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    const rt = (await json('GET', '/api/v1/runtimes')).json().items;
    expect(rt.map((r: { id: string }) => r.id)).toEqual(['onnxruntime1.30-node20-cpu', 'torch1.13-py311-cpu', 'node20-handler']);
    expect(rt.find((r: { id: string }) => r.id === 'onnxruntime1.30-node20-cpu').available).toBe(true);
    const doc = (await json('GET', '/api/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/models', '/api/v1/models/{name}/versions', '/api/v1/storage']));
    expect(doc.paths['/api/v1/models'].post.requestBody.content['application/json'].schema.properties.name.pattern).toBeTruthy();
  });

  it('requires the admin token when one is set', async () => {
    await p.close();
    p = await testPlatform({ adminToken: 's3cret' });
    expect((await json('GET', '/api/v1/models')).statusCode).toBe(401);
    const ok = await p.app.inject({ method: 'GET', url: '/api/v1/models', headers: { authorization: 'Bearer s3cret' } });
    expect(ok.statusCode).toBe(200);
    expect((await json('GET', '/healthz')).statusCode).toBe(200);
    // the router decodes the path: an encoded /api is still the API, and still guarded
    for (const url of ['/%61pi/v1/models', '/%61%70%69/v1/models', '/./api/v1/models', '/api/v1/models/', '/api/nothing-here', '/api/openapi.json']) {
      const r = await json('GET', url);
      expect([url, r.statusCode, r.json().error?.code]).toEqual([url, 401, 'UNAUTHENTICATED']);
    }
  });
});
