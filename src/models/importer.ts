/**
 * Brings a version from `importing` to `ready` (or `failed`). The job is idempotent:
 * it clears the version's storage path, copies every source file, verifies it, records
 * all files and `ready` in one transaction, and only then (move mode) removes the
 * originals. Versions left `importing` by a crash are picked up again at start.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Logger } from '../log.js';
import { isDomainError } from '../contracts/errors.js';
import type { ModelVersionSource } from '../contracts/resources.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import type { ModelsRepo, VersionRow } from './models-repo.js';
import { resolveLocal, resolveStorageSource, type ResolvedSource, type SourceDeps, type TaskOutputs } from '../files/sources.js';

export interface ImporterDeps extends SourceDeps {
  repo: ModelsRepo;
  blobs: BlobStore;
  tasks: TaskOutputs;
  log: Logger;
  concurrency: number;
}

export class Importer {
  private readonly queue: string[] = [];
  private readonly running = new Map<string, Promise<void>>();
  /** sources resolved by the request that queued them */
  private readonly handed = new Map<string, ResolvedSource>();
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: ImporterDeps) {}

  /** Picks up every version a previous process left importing. */
  async resumeAll(): Promise<void> {
    await this.deps.staging.sweepTemp();
    for (const v of await this.deps.repo.listVersionsByStatus('importing')) this.enqueue(v.id);
  }

  /**
   * Queues a version's import. `resolved`: its source as the request already resolved it
   * (listed, a zip unpacked), used as is; without it (a version resumed after a restart) the
   * source is resolved from the version's record.
   */
  enqueue(versionId: string, resolved?: ResolvedSource): void {
    if (this.stopped || this.queue.includes(versionId) || this.running.has(versionId)) {
      void resolved?.cleanup().catch(() => undefined);
      return;
    }
    if (resolved) this.handed.set(versionId, resolved);
    this.queue.push(versionId);
    this.pump();
  }

  /** Resolves when no import is queued or running (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.queue.length && !this.running.size) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    for (const r of this.handed.values()) await r.cleanup().catch(() => undefined);
    this.handed.clear();
    await Promise.allSettled(this.running.values());
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.deps.concurrency && this.queue.length) {
      const id = this.queue.shift()!;
      const job = this.run(id).finally(() => {
        this.running.delete(id);
        this.pump();
        if (!this.queue.length && !this.running.size) this.idleWaiters.splice(0).forEach((r) => r());
      });
      this.running.set(id, job);
    }
  }

  private async run(id: string): Promise<void> {
    let source = this.handed.get(id);
    this.handed.delete(id);
    const row = await this.deps.repo.versionById(id);
    if (!row || row.status !== 'importing') {
      await source?.cleanup().catch(() => undefined);
      return;
    }
    const started = Date.now();
    try {
      source ??= await this.resolve(row);
      const files = await this.copyAll(row, source);
      await this.deps.repo.completeImport(row.id, files);
      if (row.move_mode === 'move' && row.source_type !== 'upload') await source.removeOriginals();
      if (row.source_type === 'upload') await this.deps.staging.remove(this.deps.staging.dirFor(row.id));
      this.deps.log.info({ versionId: id, files: files.length, ms: Date.now() - started }, 'model version imported');
    } catch (e) {
      const reason = isDomainError(e) ? `${e.code}: ${e.message}` : `import failed: ${(e as Error).message}`;
      this.deps.log.warn({ versionId: id, err: e }, 'model version import failed');
      await this.deps.blobs.deletePrefix(row.storage_path).catch(() => undefined);
      await this.deps.repo.failVersion(row.id, reason);
      if (row.source_type === 'upload') await this.deps.staging.remove(this.deps.staging.dirFor(row.id));
    } finally {
      await source?.cleanup().catch(() => undefined);
    }
  }

  private async resolve(row: VersionRow): Promise<ResolvedSource> {
    const src = JSON.parse(row.source) as ModelVersionSource;
    if (src.type === 'upload') {
      const dir = this.deps.staging.dirFor(row.id);
      if (!fs.existsSync(dir)) throw new Error('the upload was interrupted before it was stored; import it again');
      return resolveLocal(this.deps, dir);
    }
    if (src.type === 'task' && !src.path) {
      // recorded before imports pinned the run's output folder
      const out = await this.deps.tasks.resolve(src.task ?? '', src.run);
      return resolveStorageSource(this.deps, out.prefix, row.move_mode === 'move');
    }
    return resolveStorageSource(this.deps, src.path ?? '', row.move_mode === 'move');
  }

  private async copyAll(row: VersionRow, source: ResolvedSource): Promise<{ path: string; size: number; sha256: string }[]> {
    const { blobs } = this.deps;
    await blobs.deletePrefix(row.storage_path);
    const files: { path: string; size: number; sha256: string }[] = [];
    for (const item of source.items) {
      const key = `${row.storage_path}/${item.path}`;
      const put = await blobs.put(key, await item.open());
      if (put.size !== item.size) throw new Error(`"${item.path}" changed while it was copied (${item.size} → ${put.size} bytes)`);
      if (row.move_mode === 'move') {
        const again = createHash('sha256')
          .update(await blobs.read(key))
          .digest('hex');
        if (again !== put.sha256) throw new Error(`"${item.path}" did not verify after copying`);
      }
      files.push({ path: item.path, size: put.size, sha256: put.sha256 });
    }
    return files;
  }
}
