/** Opens the blob store named by a URL: file://<dir> (embedded default) or s3://<bucket>[/<prefix>]. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlobStore } from './blob-store.js';
import { FolderBlobStore } from './folder-blob-store.js';
import { S3BlobStore, type S3Options } from './s3-blob-store.js';

export function openBlobStore(url: string, opts?: { s3: S3Options; dataDir: string }): BlobStore {
  if (url.startsWith('file://')) return new FolderBlobStore(url.startsWith('file:///') ? fileURLToPath(url) : url.slice('file://'.length));
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (s3 && opts) {
    return new S3BlobStore({ bucket: s3[1]!, prefix: s3[2] ?? '', s3: opts.s3, spoolDir: path.join(opts.dataDir, 'tmp', 's3-spool') });
  }
  throw new Error(`unsupported blob URL "${url}": use file://<dir> or s3://<bucket>[/<prefix>]`);
}
