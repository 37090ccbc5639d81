/**
 * A local copy of a blob-store folder, for stores with no local path (S3): the local
 * instance backend runs `modeldock instance --model-dir <dir>` on it. A folder is fetched
 * once per content: its directory is named by the prefix and a fingerprint of the objects
 * under it (key, size, sha256), written to a temp folder, each file checked against its
 * recorded sha256, then renamed into place — so a half-fetched folder is never used, and a
 * prefix deleted and re-imported with other bytes gets a fresh copy. Concurrent requests
 * for one prefix share one fetch. The folder handed out (`…/files`) holds the objects
 * and nothing else: the cache's own marker sits beside it, so no file name of a model
 * can collide with it, and model code listing its folder sees only its own files.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../../contracts/errors.js';
import type { BlobInfo, BlobStore } from './blob-store.js';
import { safePrefix } from './keys.js';

const COMPLETE = 'complete.json';
const FILES = 'files';
const hex = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

export class BlobCache {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly blobs: BlobStore,
    readonly root: string,
  ) {}

  /** The local folder holding every object under `prefix`, fetching it if needed. */
  async dir(prefix: string): Promise<string> {
    const p = safePrefix(prefix);
    const running = this.inflight.get(p);
    if (running) return running;
    const job = this.fetch(p).finally(() => this.inflight.delete(p));
    this.inflight.set(p, job);
    return job;
  }

  private async fetch(p: string): Promise<string> {
    const listed = await this.blobs.list(p);
    if (!listed.length) throw new DomainError('OBJECT_NOT_FOUND', `no files under "${p}" in the object store`);
    const objects = await Promise.all(listed.map(async (o) => (await this.blobs.stat(o.key)) ?? o));
    const home = path.join(this.root, hex(p));
    const dir = path.join(home, hex(JSON.stringify(objects.map((o) => [o.key, o.size, o.sha256 ?? '']))));
    const files = path.join(dir, FILES);
    if (fs.existsSync(path.join(dir, COMPLETE))) return files;

    const tmp = path.join(this.root, '.tmp', randomUUID());
    try {
      await fetchFolder(this.blobs, p, path.join(tmp, FILES), objects);
      await fsp.writeFile(path.join(tmp, COMPLETE), `${JSON.stringify({ prefix: p, objects }, null, 2)}\n`);
      // copies of this prefix with other content are from a deleted, re-imported version
      await fsp.rm(home, { recursive: true, force: true });
      await fsp.mkdir(home, { recursive: true });
      await fsp.rename(tmp, dir);
    } catch (e) {
      await fsp.rm(tmp, { recursive: true, force: true });
      if (fs.existsSync(path.join(dir, COMPLETE))) return files; // another process won the race
      throw e;
    }
    return files;
  }
}

/**
 * Copies every object under `prefix` into `dest` (laid out relative to the prefix), each
 * checked against its size and, where the store records it, its sha256. `objects` (from
 * list + stat) may be given when the caller has them. Used by BlobCache and by the
 * Kubernetes init container (`modeldock fetch-blobs`).
 */
export async function fetchFolder(blobs: BlobStore, prefix: string, dest: string, objects?: BlobInfo[]): Promise<BlobInfo[]> {
  const p = safePrefix(prefix);
  const todo = objects ?? (await Promise.all((await blobs.list(p)).map(async (o) => (await blobs.stat(o.key)) ?? o)));
  if (!todo.length) throw new DomainError('OBJECT_NOT_FOUND', `no files under "${p}" in the object store`);
  for (const o of todo) await fetchOne(blobs, p, o, dest);
  return todo;
}

async function fetchOne(blobs: BlobStore, p: string, o: BlobInfo, dest: string): Promise<void> {
  const rel = p && o.key !== p ? o.key.slice(p.length + 1) : path.posix.basename(o.key);
  const file = path.join(dest, ...rel.split('/'));
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  await pipeline(await blobs.get(o.key), meter, fs.createWriteStream(file, { flags: 'wx' }));
  const got = hash.digest('hex');
  if (size !== o.size || (o.sha256 && got !== o.sha256)) {
    throw new DomainError(
      'BLOB_CORRUPT',
      `"${o.key}" arrived as ${size} bytes with sha256 ${got}; the store records ${o.size} bytes${o.sha256 ? ` and ${o.sha256}` : ''}`,
    );
  }
}
