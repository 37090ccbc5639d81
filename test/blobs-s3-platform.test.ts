/**
 * A platform whose blob store is S3 (s3rver on loopback): a model imported by upload lands
 * in the bucket with its checksums, and a service on it (local instance backend, model
 * files fetched into the data dir's cache) answers calls through the gateway.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startPlatform, type Platform } from '../src/platform.js';
import { S3BlobStore } from '../src/store/blobs/s3-blob-store.js';
import { call } from './gateway-harness.js';
import { tinyInferBody, tinyReluOnnx } from './gateway-model.js';
import { multipart } from './support/multipart.js';
import { eventually } from './support/platform.js';
import { startS3, type TestS3 } from './support/s3.js';

let s3: TestS3;
let p: Platform;
let dataDir: string;

beforeAll(async () => {
  s3 = await startS3();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-s3-'));
  p = await startPlatform(loadConfig({ env: s3.env('md'), overrides: { dataDir, port: 0, logLevel: 'silent' } }), { reconcilePeriodMs: 200 });
});

afterAll(async () => {
  await p?.close();
  await s3?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('imports a model into S3 and serves it from there', async () => {
  expect(p.blobs).toBeInstanceOf(S3BlobStore);
  const mp = multipart([
    { name: 'spec', value: JSON.stringify({ source: { type: 'upload' }, format: 'onnx', runtime: 'onnxruntime1.30-node20-cpu', createModel: true }) },
    { name: 'f', filename: 'model.onnx', data: tinyReluOnnx() },
  ]);
  expect((await fetch(`${p.url}/api/v1/models/tiny/versions`, { method: 'POST', headers: mp.headers, body: mp.payload })).status).toBe(202);
  const v = await eventually(
    async () => {
      const r = (await (await fetch(`${p.url}/api/v1/models/tiny/versions/v1`)).json()) as {
        status: string;
        storagePath: string;
        files: { path: string; sha256: string }[];
      };
      return r.status === 'ready' ? r : null;
    },
    30_000,
    'model version ready',
  );

  // the files are objects in the bucket, under the configured prefix, each with its sha256
  const listed = await (p.blobs as S3BlobStore).client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'md/' }));
  const modelKey = listed.Contents?.map((o) => o.Key!).find((k) => k.endsWith('/model.onnx'));
  expect(modelKey).toBeDefined();
  const st = await p.blobs.stat(modelKey!.slice('md/'.length));
  expect(st?.sha256).toBe(v.files.find((f) => f.path === 'model.onnx')?.sha256);

  await fetch(`${p.url}/api/v1/services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'relu',
      version: { model: 'tiny', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 512 }, scaling: { mode: 'manual', instances: 1 } },
    }),
  });
  await eventually(
    async () => {
      const s = (await (await fetch(`${p.url}/api/v1/services/relu`)).json()) as { status: string; reason?: string };
      if (s.status === 'Failed') throw new Error(`service failed: ${s.reason}`);
      return s.status === 'Running';
    },
    60_000,
    'relu Running',
  );
  const r = await call(`${p.url}/v2/models/relu/infer`, { body: tinyInferBody([-1, 0, 0.5, 4]) });
  expect(r.status).toBe(200);
  expect(r.json().outputs[0].data).toEqual([0, 0, 0.5, 4]);
  // the instance ran on a fetched copy under the data dir, not on a path into the store
  expect(fs.readdirSync(path.join(dataDir, 'cache', 'models')).filter((d) => d !== '.tmp')).toHaveLength(1);
});

it('fetch-blobs (the Kubernetes init container) copies a model version out of S3, verified', async () => {
  const v = (await (await fetch(`${p.url}/api/v1/models/tiny/versions/v1`)).json()) as { storagePath: string; files: { path: string; sha256: string }[] };
  const into = path.join(dataDir, 'fetched');
  const bin = path.resolve('bin/modeldock.js');
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'fetch-blobs', '--prefix', v.storagePath, '--into', into], {
    env: { ...process.env, ...s3.env('md') },
  });
  expect(JSON.parse(stdout)).toMatchObject({ event: 'fetched', files: v.files.length });
  for (const f of v.files)
    expect(
      createHash('sha256')
        .update(fs.readFileSync(path.join(into, f.path)))
        .digest('hex'),
    ).toBe(f.sha256);
});

it('refuses, on S3 too, a path that would be both a file and a folder: storage PUTs, and a folder another tool wrote', async () => {
  const put = (key: string) => fetch(`${p.url}/api/v1/storage/${key}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: 'x' });
  expect((await put('clash/a')).status).toBe(200);
  const refused = await put('clash/a/b');
  expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([409, 'PATH_CONFLICT']);
  // S3 itself takes both keys: an import of such a folder is refused before a version exists
  const client = (p.blobs as S3BlobStore).client;
  for (const k of ['md/ext/pkg/m', 'md/ext/pkg/m/x']) await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: k, Body: 'x' }));
  const spec = { source: { type: 'storage', path: 'ext/pkg' }, format: 'custom', runtime: 'node20-handler', createModel: true };
  const imp = await fetch(`${p.url}/api/v1/models/clashing/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  expect([imp.status, ((await imp.json()) as { error: { code: string } }).error.code]).toEqual([409, 'PATH_CONFLICT']);
  expect((await fetch(`${p.url}/api/v1/models/clashing`)).status).toBe(404);
});
