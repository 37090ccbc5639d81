/**
 * BlobStore on an S3-compatible bucket (AWS S3, Tencent COS, MinIO), under an optional
 * key prefix. Atomic writes come from S3 itself: an object appears whole when its PUT (or
 * CompleteMultipartUpload) succeeds, never in part. Each object carries its sha256 as
 * metadata (`x-amz-meta-sha256`), computed while the body streams in; `get` checks the
 * bytes against it as they stream out (BLOB_CORRUPT on a mismatch).
 *
 * A streamed body is spooled to a local temp file first: the sha256 must be known before
 * the upload starts (metadata goes with the first request), and a limit (maxBytes) is
 * checked before anything reaches the bucket, so a refused write leaves nothing behind.
 *
 * S3 itself would hold both `a` and `a/b`; this store refuses that (PATH_CONFLICT) as the
 * folder store must, with a HEAD per folder of the key and one LIST under it before each
 * write (writers racing on the same names can still get past it).
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DomainError } from '../../contracts/errors.js';
import type { BlobInfo, BlobStore, PutResult } from './blob-store.js';
import { isReservedKey, safeKey, safeKeyPrefix } from './keys.js';
import { ancestors, pathConflict } from './path-set.js';
import { translateFsError } from './folder-blob-store.js';

const MiB = 1024 * 1024;
/** CopyObject copies at most 5 GiB in one request; larger objects are streamed. */
const MAX_COPY_BYTES = 5 * 1024 * MiB;
const PAGE = 1000;

export interface S3Options {
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  multipartPartMiB: number;
}

export interface S3BlobStoreOptions {
  bucket: string;
  /** key prefix inside the bucket, without slashes at either end ('' = the bucket root) */
  prefix: string;
  s3: S3Options;
  /** where streamed bodies are spooled before upload */
  spoolDir: string;
  /** keys per list page and per batch delete (S3's maximum, 1000, unless a test wants pages) */
  pageSize?: number;
}

export function s3ClientConfig(o: S3Options): S3ClientConfig {
  return {
    region: o.region,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    forcePathStyle: o.forcePathStyle,
    ...(o.accessKeyId
      ? { credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey, ...(o.sessionToken ? { sessionToken: o.sessionToken } : {}) } }
      : {}),
    // Many S3-compatible servers (COS, older MinIO) refuse the SDK's default CRC checksum
    // trailers; our own sha256 travels as metadata instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 4,
  };
}

export class S3BlobStore implements BlobStore {
  readonly client: S3Client;
  readonly bucket: string;
  private readonly root: string;
  private readonly partBytes: number;
  private readonly pageSize: number;

  constructor(private readonly opts: S3BlobStoreOptions) {
    this.client = new S3Client(s3ClientConfig(opts.s3));
    this.bucket = opts.bucket;
    this.root = opts.prefix.replace(/^\/+|\/+$/g, '');
    this.partBytes = opts.s3.multipartPartMiB * MiB;
    this.pageSize = Math.min(PAGE, opts.pageSize ?? PAGE);
  }

  /** `s3://bucket/prefix/key` — for messages and for instances that fetch the files themselves. */
  url(key = ''): string {
    return `s3://${this.bucket}/${this.full(key)}`;
  }

  async put(key: string, body: Readable | Buffer, opts: { maxBytes?: number } = {}): Promise<PutResult> {
    const k = safeKey(key);
    if (Buffer.isBuffer(body)) {
      if (opts.maxBytes !== undefined && body.length > opts.maxBytes) throw tooLarge(key, opts.maxBytes);
      await this.checkPlace(k);
      const sha256 = createHash('sha256').update(body).digest('hex');
      await this.call(k, () =>
        this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.full(k), Body: body, ContentLength: body.length, Metadata: { sha256 } })),
      );
      return { size: body.length, sha256 };
    }
    await this.checkPlace(k);
    const spooled = await this.spool(key, body, opts.maxBytes);
    try {
      await this.upload(k, spooled);
    } finally {
      await fsp.rm(spooled.file, { force: true });
    }
    return { size: spooled.size, sha256: spooled.sha256 };
  }

  async get(key: string): Promise<Readable> {
    const k = safeKey(key);
    const res = await this.call(k, () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(k) })));
    const body = res.Body as Readable;
    const want = res.Metadata?.sha256;
    if (!want) return body;
    const hash = createHash('sha256');
    const check = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
      flush(cb) {
        const got = hash.digest('hex');
        cb(got === want ? null : new DomainError('BLOB_CORRUPT', `object "${key}" does not match its recorded sha256 (${want}, read ${got})`));
      },
    });
    body.on('error', (e) => check.destroy(e));
    return body.pipe(check);
  }

  async read(key: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const c of await this.get(key)) parts.push(c as Buffer);
    return Buffer.concat(parts);
  }

  async stat(key: string): Promise<BlobInfo | null> {
    const k = safeKey(key);
    try {
      const h = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.full(k) }));
      return { key: k, size: h.ContentLength ?? 0, ...(h.Metadata?.sha256 ? { sha256: h.Metadata.sha256 } : {}) };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw unavailable(e, k);
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const p = safeKeyPrefix(prefix);
    // a prefix may name a single object too (as in the folder store)
    if (p) {
      const single = await this.stat(p);
      if (single) return [{ key: single.key, size: single.size }];
    }
    const out: BlobInfo[] = [];
    const s3Prefix = p ? `${this.full(p)}/` : this.root ? `${this.root}/` : '';
    let token: string | undefined;
    do {
      const page = await this.call(p, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: s3Prefix, ContinuationToken: token, MaxKeys: this.pageSize })),
      );
      for (const o of page.Contents ?? []) {
        // "folder" markers that consoles create (`a/b/`) are not objects here
        if (!o.Key || o.Key.endsWith('/')) continue;
        const key = this.relative(o.Key);
        if (!p && isReservedKey(key)) continue;
        out.push({ key, size: o.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async copy(from: string, to: string): Promise<PutResult> {
    const src = safeKey(from);
    const dest = safeKey(to);
    const info = await this.stat(src);
    if (!info) throw new DomainError('OBJECT_NOT_FOUND', `object "${from}" does not exist`);
    await this.checkPlace(dest);
    if (!info.sha256 || info.size > MAX_COPY_BYTES) return this.put(dest, await this.get(src));
    await this.call(dest, () =>
      this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: this.full(dest),
          CopySource: encodeURI(`${this.bucket}/${this.full(src)}`),
          MetadataDirective: 'COPY',
        }),
      ),
    );
    return { size: info.size, sha256: info.sha256 };
  }

  async delete(key: string): Promise<void> {
    const k = safeKey(key);
    await this.call(k, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.full(k) })));
  }

  async deletePrefix(prefix: string): Promise<void> {
    const p = safeKeyPrefix(prefix);
    if (!p) throw new Error('refusing to delete the whole blob store');
    const keys = (await this.list(p)).map((o) => this.full(o.key));
    for (let i = 0; i < keys.length; i += this.pageSize) {
      const batch = keys.slice(i, i + this.pageSize);
      const res = await this.call(p, () =>
        this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })),
      );
      const failed = res.Errors ?? [];
      if (failed.length)
        throw new DomainError(
          'UNAVAILABLE',
          `object storage did not delete ${failed.length} object(s) under "${p}": ${failed[0]?.Code} ${failed[0]?.Message ?? ''}`,
        );
    }
  }

  close(): void {
    this.client.destroy();
  }

  /** PATH_CONFLICT if an object sits at a folder of `key`, or objects sit under `key/`. */
  private async checkPlace(key: string): Promise<void> {
    const [above, under] = await Promise.all([
      Promise.all(ancestors(key).map((a) => this.stat(a))),
      // a few keys, in case "folder" markers (`key/`, `key/sub/`) come first
      this.call(key, () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.full(key)}/`, MaxKeys: 10 }))),
    ]);
    const file = above.find((o) => o !== null);
    if (file) throw pathConflict('key', key, file.key, 'file');
    if ((under.Contents ?? []).some((o) => o.Key && !o.Key.endsWith('/'))) throw pathConflict('key', key, key, 'folder');
  }

  private full(key: string): string {
    return this.root ? (key ? `${this.root}/${key}` : this.root) : key;
  }

  private relative(fullKey: string): string {
    return this.root ? fullKey.slice(this.root.length + 1) : fullKey;
  }

  /** Streams a body into a temp file, measuring and hashing it; over maxBytes, nothing is kept. */
  private async spool(key: string, body: Readable, maxBytes?: number): Promise<{ file: string; size: number; sha256: string }> {
    await fsp.mkdir(this.opts.spoolDir, { recursive: true });
    const file = path.join(this.opts.spoolDir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (maxBytes !== undefined && size > maxBytes) return cb(tooLarge(key, maxBytes));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, fs.createWriteStream(file, { flags: 'wx' }));
    } catch (e) {
      await fsp.rm(file, { force: true });
      throw translateFsError(e);
    }
    return { file, size, sha256: hash.digest('hex') };
  }

  /** One PUT up to a part's size; a multipart upload (aborted on failure) above it. */
  private async upload(key: string, f: { file: string; size: number; sha256: string }): Promise<void> {
    const params = { Bucket: this.bucket, Key: this.full(key), Metadata: { sha256: f.sha256 } };
    if (f.size <= this.partBytes) {
      const body = await fsp.readFile(f.file);
      await this.call(key, () => this.client.send(new PutObjectCommand({ ...params, Body: body, ContentLength: f.size })));
      return;
    }
    const upload = new Upload({
      client: this.client,
      params: { ...params, Body: fs.createReadStream(f.file, { highWaterMark: MiB }) },
      partSize: this.partBytes,
      queueSize: 4,
      leavePartsOnError: false,
    });
    await this.call(key, () => upload.done());
  }

  /** Runs one request, turning "no such key" into OBJECT_NOT_FOUND and outages into UNAVAILABLE. */
  private async call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isNotFound(e)) throw new DomainError('OBJECT_NOT_FOUND', `object "${key}" does not exist`);
      throw unavailable(e, key);
    }
  }
}

function tooLarge(key: string, maxBytes: number): DomainError {
  return new DomainError('UPLOAD_TOO_LARGE', `"${key}" is larger than the limit of ${maxBytes} bytes`);
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || (err?.$metadata?.httpStatusCode === 404 && err?.name !== 'NoSuchBucket');
}

/** Network failures and 5xx from the server are UNAVAILABLE; anything else (access denied, no bucket) stays as it is. */
function unavailable(e: unknown, key: string): unknown {
  if (e instanceof DomainError) return e;
  const err = e as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err?.$metadata?.httpStatusCode;
  const network = typeof err?.code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE)$/.test(err.code);
  if (network || (status !== undefined && status >= 500)) {
    return new DomainError(
      'UNAVAILABLE',
      `object storage is unavailable (${err?.name ?? err?.code ?? 'error'}: ${err?.message ?? ''}) while handling "${key}"`,
    );
  }
  return e;
}
