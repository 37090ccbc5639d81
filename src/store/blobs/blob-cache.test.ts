import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startS3, type TestS3 } from '../../../test/support/s3.js';
import { BlobCache } from './blob-cache.js';
import { S3BlobStore } from './s3-blob-store.js';

let s3: TestS3;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'md-cache-'));
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('fetches a folder once, shares concurrent fetches, and refetches when its content changes', async () => {
  const store = new S3BlobStore({ bucket: s3.bucket, prefix: 'cache-test', s3: s3.options(), spoolDir: path.join(tmp, 'spool') });
  const gets: string[] = [];
  store.client.middlewareStack.add(
    (next, ctx) => async (args) => {
      if (ctx.commandName === 'GetObjectCommand') gets.push(ctx.commandName);
      return next(args);
    },
    { step: 'initialize' },
  );
  await store.put('m/v1/model.onnx', Buffer.from('weights'));
  await store.put('m/v1/code/model_service.py', Buffer.from('print(1)'));
  const cache = new BlobCache(store, path.join(tmp, 'cache'));

  const [a, b] = await Promise.all([cache.dir('m/v1'), cache.dir('m/v1')]);
  expect(a).toBe(b);
  expect(gets).toHaveLength(2);
  expect(fs.readFileSync(path.join(a, 'model.onnx'), 'utf8')).toBe('weights');
  expect(fs.readFileSync(path.join(a, 'code', 'model_service.py'), 'utf8')).toBe('print(1)');
  expect(await cache.dir('m/v1')).toBe(a);
  expect(gets).toHaveLength(2);

  // the version is deleted and imported again with other bytes: a fresh copy, the old one gone
  await store.deletePrefix('m/v1');
  await store.put('m/v1/model.onnx', Buffer.from('WEIGHTS'));
  const c = await cache.dir('m/v1');
  expect(c).not.toBe(a);
  expect(fs.existsSync(a)).toBe(false);
  expect(fs.readdirSync(c).sort()).toEqual(['model.onnx']);
  await expect(cache.dir('m/none')).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
});

it("hands out a folder holding the model's files only, whatever they are named", async () => {
  const store = new S3BlobStore({ bucket: s3.bucket, prefix: 'cache-names', s3: s3.options(), spoolDir: path.join(tmp, 'spool') });
  // names the cache itself once used inside the folder, or uses beside it
  const names = ['.modeldock-complete', 'complete.json', 'files/x', '.tmp/y', 'model.onnx'];
  for (const n of names) await store.put(`m/v1/${n}`, Buffer.from(`bytes of ${n}`));
  const dir = await new BlobCache(store, path.join(tmp, 'cache-names')).dir('m/v1');
  expect(
    fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      .sort(),
  ).toEqual([...names].sort());
  for (const n of names) expect(fs.readFileSync(path.join(dir, n), 'utf8')).toBe(`bytes of ${n}`);
  // a second process (a fresh cache object) finds the same complete copy
  expect(await new BlobCache(store, path.join(tmp, 'cache-names')).dir('m/v1')).toBe(dir);
});
