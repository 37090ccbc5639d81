/** Opens the blob store named by a URL: file://<dir> (embedded default) or s3://<bucket>[/<prefix>]. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlobStore } from './blob-store.js';
import { FolderBlobStore } from './folder-blob-store.js';
import type { S3Options } from './s3-blob-store.js';

/** The S3 SDK loads only when an s3:// store is opened (it costs ~200 ms at start). */
export async function openBlobStore(url: string, opts?: { s3: S3Options; dataDir: string }): Promise<BlobStore> {
  if (url.startsWith('file://')) return new FolderBlobStore(url.startsWith('file:///') ? fileURLToPath(url) : url.slice('file://'.length));
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (s3 && opts) {
    const { S3BlobStore } = await import('./s3-blob-store.js');
    return new S3BlobStore({ bucket: s3[1]!, prefix: s3[2] ?? '', s3: opts.s3, spoolDir: path.join(opts.dataDir, 'tmp', 's3-spool') });
  }
  throw new Error(`unsupported blob URL "${url}": use file://<dir> or s3://<bucket>[/<prefix>]`);
}
