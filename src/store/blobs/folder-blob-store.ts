/**
 * BlobStore on a local folder: temp file + fsync + rename for atomic writes. The temp
 * files live in `<root>/.tmp`, a reserved name no key may use (keys.ts); it is made
 * again whenever it is missing.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../../contracts/errors.js';
import type { BlobInfo, BlobStore, PutResult } from './blob-store.js';
import { RESERVED_KEY_TOPS, safeKey, safeKeyPrefix } from './keys.js';
import { ancestors, pathConflict } from './path-set.js';

const TMP = RESERVED_KEY_TOPS[0]!;

export class FolderBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    fs.mkdirSync(path.join(this.root, TMP), { recursive: true });
  }

  localPath(key: string): string {
    return path.join(this.root, safeKey(key));
  }

  async freeBytes(): Promise<number> {
    const s = await fsp.statfs(this.root);
    return s.bavail * s.bsize;
  }

  async put(key: string, body: Readable | Buffer, opts: { maxBytes?: number } = {}): Promise<PutResult> {
    const dest = this.localPath(key);
    await this.checkPlace(key);
    const tmpDir = path.join(this.root, TMP);
    await fsp.mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (opts.maxBytes !== undefined && size > opts.maxBytes) {
          cb(new DomainError('UPLOAD_TOO_LARGE', `"${key}" is larger than the limit of ${opts.maxBytes} bytes`));
          return;
        }
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      const src = Buffer.isBuffer(body) ? Readable.from([body]) : body;
      const out = fs.createWriteStream(tmp, { flags: 'wx' });
      await pipeline(src, meter, out);
      const fh = await fsp.open(tmp, 'r');
      await fh.sync().finally(() => fh.close());
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      await fsp.rename(tmp, dest);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      const code = (e as NodeJS.ErrnoException).code;
      // another writer made `key` or a folder of it the other kind since checkPlace looked
      if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ENOTEMPTY') await this.checkPlace(key);
      throw translateFsError(e);
    }
    return { size, sha256: hash.digest('hex') };
  }

  async get(key: string): Promise<Readable> {
    const file = this.localPath(key);
    const fh = await fsp.open(file, 'r').catch((e) => {
      throw notFoundOr(e, key);
    });
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw new DomainError('OBJECT_NOT_FOUND', `object "${key}" does not exist`);
    }
    return fh.createReadStream();
  }

  async read(key: string): Promise<Buffer> {
    return fsp.readFile(this.localPath(key)).catch((e) => {
      throw notFoundOr(e, key);
    });
  }

  async stat(key: string): Promise<BlobInfo | null> {
    const file = this.localPath(key);
    try {
      const st = await fsp.stat(file);
      return st.isFile() ? { key: safeKey(key), size: st.size } : null;
    } catch {
      return null;
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const p = safeKeyPrefix(prefix);
    const base = path.join(this.root, p);
    const out: BlobInfo[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (rel === '' && p === '' && e.name === TMP) continue;
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(path.join(dir, e.name), r);
        else if (e.isFile()) {
          const st = await fsp.stat(path.join(dir, e.name));
          out.push({ key: p ? `${p}/${r}` : r, size: st.size });
        }
      }
    };
    // A prefix may name a single object too.
    const single = p ? await this.stat(p) : null;
    if (single) return [single];
    await walk(base, '');
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async copy(from: string, to: string): Promise<PutResult> {
    return this.put(to, await this.get(from));
  }

  async delete(key: string): Promise<void> {
    const file = this.localPath(key);
    await fsp.rm(file, { force: true });
    await this.pruneEmptyDirs(path.dirname(file));
  }

  async deletePrefix(prefix: string): Promise<void> {
    const p = safeKeyPrefix(prefix);
    if (!p) throw new Error('refusing to delete the whole blob store');
    const target = path.join(this.root, p);
    await fsp.rm(target, { recursive: true, force: true });
    await this.pruneEmptyDirs(path.dirname(target));
  }

  /**
   * PATH_CONFLICT if `key` cannot be a file here: one of its folders is a file, or it is
   * itself a folder. Checked before a byte is written, so a refused put costs no upload.
   */
  private async checkPlace(key: string): Promise<void> {
    for (const a of ancestors(key)) {
      const st = await fsp.stat(path.join(this.root, a)).catch(() => null);
      if (!st) return;
      if (!st.isDirectory()) throw pathConflict('key', key, a, 'file');
    }
    const st = await fsp.stat(path.join(this.root, key)).catch(() => null);
    if (st?.isDirectory()) throw pathConflict('key', key, key, 'folder');
  }

  private async pruneEmptyDirs(dir: string): Promise<void> {
    while (dir.startsWith(this.root + path.sep)) {
      try {
        await fsp.rmdir(dir);
      } catch {
        return;
      }
      dir = path.dirname(dir);
    }
  }
}

function notFoundOr(e: unknown, key: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return new DomainError('OBJECT_NOT_FOUND', `object "${key}" does not exist`);
  return translateFsError(e);
}

export function translateFsError(e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DomainError('STORAGE_FULL', 'the storage device is full; nothing was stored');
  return e;
}
