/**
 * Receiving uploaded files into a staging folder: each file under its checked relative
 * path, sizes counted against the limit, then (for a single zip) unpacked safely.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError, isDomainError } from '../contracts/errors.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import { safeRelativePath } from '../store/blobs/keys.js';
import { PathSet } from '../store/blobs/path-set.js';
import { listFilesRecursive, type StagedFile } from './staging.js';
import { stripCommonTopFolder, unzipSafely, type ZipLimits } from './zip.js';

export class UploadSink {
  private total = 0;
  private readonly names = new PathSet();
  private n = 0;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  get bytes(): number {
    return this.total;
  }

  get count(): number {
    return this.n;
  }

  /** Writes one uploaded file under its relative path. */
  async add(rawName: string, stream: Readable): Promise<void> {
    let rel: string;
    try {
      rel = safeRelativePath(rawName, 'file name');
    } catch (e) {
      stream.resume();
      throw e;
    }
    try {
      if (this.names.has(rel)) throw new DomainError('INVALID_PATH', `file "${rel}" is uploaded twice`);
      this.names.add(rel, 'file');
    } catch (e) {
      stream.resume();
      throw e;
    }
    this.n++;
    const target = path.join(this.dir, rel);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const self = this;
    const meter = new Transform({
      transform(chunk: Buffer, _e, cb) {
        self.total += chunk.length;
        if (self.total > self.maxBytes) cb(new DomainError('UPLOAD_TOO_LARGE', `the upload is larger than the limit of ${self.maxBytes} bytes`));
        else cb(null, chunk);
      },
    });
    try {
      await pipeline(stream, meter, fs.createWriteStream(target, { flags: 'wx' }));
    } catch (e) {
      if (isDomainError(e)) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new DomainError('STORAGE_FULL', 'the storage device is full; nothing was stored');
      if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
        throw new DomainError('UPLOAD_TOO_LARGE', `file "${rel}" is larger than the limit of ${this.maxBytes} bytes`);
      throw e;
    }
  }

  /**
   * The uploaded files; a lone .zip is unpacked in place (unless `unzip` is false) and a
   * single top folder inside it is dropped (`classify/model_service.py` → `model_service.py`).
   */
  async finish(opts: { unzip: boolean; limits: ZipLimits }): Promise<StagedFile[]> {
    const files = await listFilesRecursive(this.dir);
    if (!files.length) throw new DomainError('EMPTY_IMPORT', 'the upload carries no files');
    const only = files.length === 1 ? files[0]! : undefined;
    if (!only || !opts.unzip || !only.path.toLowerCase().endsWith('.zip')) return files;
    const zipPath = `${this.dir}.zip`;
    await fsp.rename(only.abs, zipPath);
    if (only.path.includes('/')) await fsp.rm(path.join(this.dir, only.path.split('/')[0]!), { recursive: true, force: true });
    try {
      await unzipSafely(zipPath, this.dir, opts.limits);
    } finally {
      await fsp.rm(zipPath, { force: true });
    }
    const unpacked = await listFilesRecursive(this.dir);
    if (!unpacked.length) throw new DomainError('EMPTY_IMPORT', 'the zip holds no files');
    const { strip } = stripCommonTopFolder(unpacked.map((f) => f.path));
    if (!strip) return unpacked;
    const flat = path.join(`${this.dir}.flat`);
    await fsp.rename(path.join(this.dir, strip), flat);
    await fsp.rm(this.dir, { recursive: true, force: true });
    await fsp.rename(flat, this.dir);
    return listFilesRecursive(this.dir);
  }
}

/**
 * Refuses an upload the blob store has no room for, before anything is recorded: the
 * staged files are copied into the store, so a disk that held the upload may still fill
 * half way through that copy (the import would then fail with STORAGE_FULL, later).
 */
export async function checkRoom(blobs: BlobStore, files: readonly { size: number }[]): Promise<void> {
  const free = await blobs.freeBytes?.();
  const needed = files.reduce((n, f) => n + f.size, 0);
  if (free !== undefined && needed > free) {
    throw new DomainError('STORAGE_FULL', `the storage device is full: the upload needs ${needed} bytes, ${free} are free; nothing was stored`);
  }
}
