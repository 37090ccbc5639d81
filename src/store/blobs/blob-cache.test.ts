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
  store.client.middlewareStack.add((next, ctx) => async (args) => {
    if (ctx.commandName === 'GetObjectCommand') gets.push(ctx.commandName);
    return next(args);
  }, { step: 'initialize' });
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
  expect(fs.readdirSync(c).sort()).toEqual(['.modeldock-complete', 'model.onnx']);
  await expect(cache.dir('m/none')).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
});
