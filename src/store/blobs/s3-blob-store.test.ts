/**
 * The blob contract against a real S3-protocol server on loopback (s3rver, started here;
 * see test/support/s3.ts for what it does and does not implement), plus what only S3
 * has: multipart uploads, list pages, batch deletes, key prefixes, checksum metadata.
 */
import { randomBytes, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type TestS3 } from '../../../test/support/s3.js';
import { describeBlobStore } from './blob-store.contract.js';
import { S3BlobStore } from './s3-blob-store.js';

let s3: TestS3;
let n = 0;
const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-s3-spool-'));
const make = (o: { partMiB?: number; pageSize?: number; prefix?: string } = {}) =>
  new S3BlobStore({ bucket: s3.bucket, prefix: o.prefix ?? `t${++n}/root`, s3: s3.options(o.partMiB), spoolDir, pageSize: o.pageSize });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(spoolDir, { recursive: true, force: true });
});

describeBlobStore('s3 (s3rver on loopback)', async () => make());
describeBlobStore('s3 at the bucket root', async () => make({ prefix: '' }));

describe('S3BlobStore specifics', () => {
  it('uploads a body larger than a part as a multipart upload, with its sha256 as metadata', async () => {
    const s = make({ partMiB: 5 });
    const sent: string[] = [];
    s.client.middlewareStack.add(
      (next, ctx) => async (args) => {
        sent.push(ctx.commandName as string);
        return next(args);
      },
      { step: 'initialize' },
    );
    const body = randomBytes(12 * 1024 * 1024 + 123);
    const chunks = Array.from({ length: Math.ceil(body.length / 65536) }, (_, i) => body.subarray(i * 65536, (i + 1) * 65536));
    const r = await s.put('big/model.bin', Readable.from(chunks));
    expect(r).toEqual({ size: body.length, sha256: sha(body) });
    expect(await s.stat('big/model.bin')).toEqual({ key: 'big/model.bin', size: body.length, sha256: sha(body) });
    expect(sha(await s.read('big/model.bin'))).toBe(sha(body));
    expect(sent.filter((c) => c === 'UploadPartCommand')).toHaveLength(3);
    expect(sent).toContain('CompleteMultipartUploadCommand');
    expect(sent).not.toContain('PutObjectCommand');
    expect(fs.readdirSync(spoolDir)).toEqual([]);
  });

  it('lists across pages and deletes a prefix in batches', async () => {
    const s = make({ pageSize: 7 });
    const keys = Array.from({ length: 23 }, (_, i) => `many/${String(i).padStart(2, '0')}.txt`);
    await Promise.all(keys.map((k) => s.put(k, Buffer.from(k))));
    await s.put('many-not/x', Buffer.from('x'));
    expect((await s.list('many')).map((o) => o.key)).toEqual(keys);
    await s.deletePrefix('many');
    expect(await s.list('many')).toEqual([]);
    expect(await s.list('many-not')).toEqual([{ key: 'many-not/x', size: 1 }]);
  });

  it('keeps stores under different prefixes of one bucket apart', async () => {
    const a = make({ prefix: 'shared/a' });
    const b = make({ prefix: 'shared/b' });
    await a.put('m/f', Buffer.from('A'));
    await b.put('m/f', Buffer.from('BB'));
    expect(await a.list('m')).toEqual([{ key: 'm/f', size: 1 }]);
    await a.deletePrefix('m');
    expect((await b.read('m/f')).toString()).toBe('BB');
  });

  it('answers BLOB_CORRUPT when an object no longer matches its recorded sha256', async () => {
    const s = make();
    await s.put('c/f', Buffer.from('good bytes'));
    // someone rewrites the object behind the store's back, keeping the old metadata
    const key = `t${n}/root/c/f`;
    const meta = (await s.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }))).Metadata;
    await s.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: Buffer.from('evil bytes'), Metadata: meta }));
    await expect(s.read('c/f')).rejects.toMatchObject({ code: 'BLOB_CORRUPT' });
  });

  it('copies server-side and keeps the checksum', async () => {
    const s = make();
    const r = await s.put('src/a', Buffer.from('copy me'));
    expect(await s.copy('src/a', 'dst/a')).toEqual(r);
    expect(await s.stat('dst/a')).toEqual({ key: 'dst/a', size: 7, sha256: r.sha256 });
    await expect(s.copy('src/missing', 'dst/b')).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
  });

  it('answers UNAVAILABLE when the server cannot be reached', async () => {
    const s = new S3BlobStore({ bucket: 'x-bucket', prefix: '', s3: { ...s3.options(), endpoint: 'http://127.0.0.1:1' }, spoolDir });
    await expect(s.read('a')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
