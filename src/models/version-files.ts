/**
 * The files of a model version (TI-ONE's 上传文件 step): list, read with sha256
 * verification, add/replace (one raw file, or many via a staged upload), delete, and
 * the whole version as a zip.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import type { Config } from '../config.js';
import { DomainError } from '../contracts/errors.js';
import type { VersionFile } from '../contracts/resources.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import { safePrefix, safeRelativePath } from '../store/blobs/keys.js';
import { PathSet } from '../store/blobs/path-set.js';
import type { FileRow, ModelRow, ModelsRepo, VersionRow } from './models-repo.js';
import { toFile } from './mapping.js';
import type { StagingArea } from '../files/staging.js';
import { checkRoom, UploadSink } from '../files/upload.js';
import { zipEntries } from '../files/zip.js';

export interface VersionFilesDeps {
  repo: ModelsRepo;
  blobs: BlobStore;
  config: Config;
  staging: StagingArea;
  resolve(model: string, ref: string): Promise<{ model: ModelRow; version: VersionRow }>;
  /** the services whose versions deploy this model version: its files are then frozen */
  usersOf(model: string, version: number): Promise<string[]>;
}

export interface FileStream {
  file: VersionFile;
  body: Readable;
}

export class VersionFiles {
  constructor(private readonly deps: VersionFilesDeps) {}

  async list(model: string, ref: string): Promise<VersionFile[]> {
    const { version } = await this.deps.resolve(model, ref);
    return (await this.deps.repo.listFiles(version.id)).map(toFile);
  }

  /** One file's bytes, checked against its recorded sha256. */
  async read(model: string, ref: string, rawPath: string): Promise<FileStream> {
    const { version } = await this.deps.resolve(model, ref);
    const p = safeRelativePath(rawPath);
    const row = await this.deps.repo.findFile(version.id, p);
    if (!row) throw new DomainError('FILE_NOT_FOUND', `v${version.number} of "${model}" has no file "${p}"`);
    return { file: toFile(row), body: await this.verified(version, row) };
  }

  /**
   * Small files are read and verified before a byte is sent (a mismatch is a clean
   * BLOB_CORRUPT answer); large ones are verified while streaming and the stream is
   * broken off at the end if they do not match.
   */
  private async verified(version: VersionRow, row: FileRow): Promise<Readable> {
    const key = `${version.storage_path}/${row.path}`;
    const corrupt = () => new DomainError('BLOB_CORRUPT', `stored file "${row.path}" no longer matches its sha256; re-upload it`);
    if (Number(row.size) <= this.deps.config.limits.verifyBeforeSendBytes) {
      const buf = await this.deps.blobs.read(key).catch((e) => {
        throw (e as DomainError).code === 'OBJECT_NOT_FOUND' ? corrupt() : e;
      });
      if (createHash('sha256').update(buf).digest('hex') !== row.sha256) throw corrupt();
      return Readable.from([buf]);
    }
    const hash = createHash('sha256');
    const check = new Transform({
      transform(chunk: Buffer, _e, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
      flush(cb) {
        cb(hash.digest('hex') === row.sha256 ? null : corrupt());
      },
    });
    return (await this.deps.blobs.get(key)).pipe(check);
  }

  /** Adds or replaces one file from a raw body. */
  async put(model: string, ref: string, rawPath: string, body: Readable): Promise<VersionFile> {
    const p = safeRelativePath(rawPath);
    const version = await this.writable(model, ref);
    await this.checkPlaces(version, [p]);
    const put = await this.deps.blobs.put(`${version.storage_path}/${p}`, body, { maxBytes: this.deps.config.limits.maxUploadBytes });
    const file = { path: p, size: put.size, sha256: put.sha256 };
    await this.deps.repo.putFiles(version.id, [file]);
    return file;
  }

  /**
   * Adds or replaces many files from a multipart upload; `fill` streams them into the
   * sink and returns the options that came with them (a lone zip is unpacked on request).
   */
  async putMany(model: string, ref: string, fill: (sink: UploadSink) => Promise<{ prefix?: string; unzip?: boolean }>): Promise<VersionFile[]> {
    const version = await this.writable(model, ref);
    const dir = await this.deps.staging.create();
    try {
      const sink = new UploadSink(dir, this.deps.config.limits.maxUploadBytes);
      const opts = await fill(sink);
      const prefix = safePrefix(opts.prefix);
      const l = this.deps.config.limits;
      const staged = await sink.finish({
        unzip: opts.unzip ?? false,
        limits: { maxEntries: l.maxArchiveEntries, maxBytes: l.maxArchiveBytes, maxRatio: l.maxArchiveRatio },
      });
      const paths = staged.map((f) => (prefix ? `${prefix}/${f.path}` : f.path));
      await this.checkPlaces(version, paths);
      await checkRoom(this.deps.blobs, staged);
      const written: VersionFile[] = [];
      for (const [i, f] of staged.entries()) {
        const p = paths[i]!;
        const put = await this.deps.blobs.put(`${version.storage_path}/${p}`, createReadStream(f.abs));
        written.push({ path: p, size: put.size, sha256: put.sha256 });
      }
      await this.deps.repo.putFiles(version.id, written);
      return written;
    } finally {
      await this.deps.staging.remove(dir);
    }
  }

  async delete(model: string, ref: string, rawPath: string): Promise<void> {
    const p = safeRelativePath(rawPath);
    const version = await this.writable(model, ref);
    if (!(await this.deps.repo.deleteFile(version.id, p))) throw new DomainError('FILE_NOT_FOUND', `v${version.number} of "${model}" has no file "${p}"`);
    await this.deps.blobs.delete(`${version.storage_path}/${p}`);
  }

  /** The whole version as a zip stream (files verified as they are read). */
  async archive(model: string, ref: string): Promise<{ name: string; body: Readable }> {
    const { model: m, version } = await this.deps.resolve(model, ref);
    if (version.status !== 'ready') throw new DomainError('VERSION_NOT_READY', `v${version.number} of "${model}" is ${version.status}`);
    const rows = await this.deps.repo.listFiles(version.id);
    const body = zipEntries(rows.map((r) => ({ path: r.path, open: () => this.verified(version, r) })));
    return { name: `${m.name}-v${version.number}.zip`, body };
  }

  /** PATH_CONFLICT, before anything is written, if a new path is a folder of a file the version has, or the reverse. */
  private async checkPlaces(version: VersionRow, paths: readonly string[]): Promise<void> {
    const have = new PathSet((await this.deps.repo.listFiles(version.id)).map((f) => f.path));
    for (const p of paths) have.check(p, 'file');
  }

  /**
   * Every write to a version's files (PUT, multipart POST, DELETE) comes through here: a
   * version's files change only while it is ready and no service deploys it, because its
   * instances load (and restart from) exactly these bytes. Import a new version instead.
   */
  private async writable(model: string, ref: string): Promise<VersionRow> {
    const { model: m, version } = await this.deps.resolve(model, ref);
    if (version.status !== 'ready') {
      throw new DomainError(
        'VERSION_NOT_READY',
        `v${version.number} of "${model}" is ${version.status}${version.error ? ` (${version.error})` : ''}; its files cannot change`,
      );
    }
    const users = await this.deps.usersOf(m.name, version.number);
    if (users.length) {
      throw new DomainError(
        'MODEL_IN_USE',
        `v${version.number} of "${model}" is deployed by service(s) ${users.join(', ')}, so its files cannot change; import the changed files as a new version and roll it out, or remove it from those services first`,
        { services: users },
      );
    }
    return version;
  }
}
