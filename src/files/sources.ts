/**
 * Where an import's files come from: the object store (a folder or one zip), a local
 * folder under an allowed import root (file:///…), a training task's output, or a
 * staged upload. Each resolves to a list of items the importer copies.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { DomainError } from '../contracts/errors.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import { safePrefix, safeRelativePath } from '../store/blobs/keys.js';
import { checkNoPathConflicts } from '../store/blobs/path-set.js';
import { listFilesRecursive, type StagingArea } from './staging.js';
import { stripCommonTopFolder, unzipSafely, type ZipLimits } from './zip.js';

export interface SourceItem {
  path: string;
  size: number;
  open(): Promise<Readable>;
}

export interface ResolvedSource {
  items: SourceItem[];
  /** removes the originals (move mode), after every copy is verified */
  removeOriginals(): Promise<void>;
  /** frees temp space used while resolving */
  cleanup(): Promise<void>;
}

/** Finds a training task's output folder in the object store (src/tasks implements it). */
export interface TaskOutputs {
  /** the run's output folder; without `run`, the latest run that succeeded */
  resolve(task: string, run?: string): Promise<{ prefix: string; run: string; metrics?: Record<string, unknown> }>;
}

export const noTaskOutputs: TaskOutputs = {
  async resolve() {
    throw new DomainError('SOURCE_UNSUPPORTED', 'importing from a training task is not available yet: training tasks are not part of this platform build');
  },
};

/** The object store's area the repository manages; users cannot write or move out of it. */
export const REPOSITORY_PREFIX = 'models';

export interface SourceDeps {
  blobs: BlobStore;
  staging: StagingArea;
  importRoots: readonly string[];
  zipLimits: ZipLimits;
}

export function isLocalPath(p: string): boolean {
  return p.startsWith('file://');
}

/** Checks a local import path against the configured roots; returns the real folder. */
export async function allowedLocalDir(url: string, roots: readonly string[]): Promise<string> {
  let p: string;
  try {
    p = fileURLToPath(url);
  } catch {
    throw new DomainError('INVALID_PATH', `"${url}" is not a valid file:/// URL`);
  }
  if (!roots.length) {
    throw new DomainError('LOCAL_PATH_NOT_ALLOWED', 'importing from local folders is off: set MODELDOCK_IMPORT_ROOTS to the folders the platform may read');
  }
  const real = await fsp.realpath(p).catch(() => {
    throw new DomainError('SOURCE_NOT_FOUND', `local path "${p}" does not exist`);
  });
  const realRoots = await Promise.all(roots.map((r) => fsp.realpath(r).catch(() => r)));
  if (!realRoots.some((r) => real === r || real.startsWith(r + path.sep))) {
    throw new DomainError('LOCAL_PATH_NOT_ALLOWED', `"${p}" is outside the allowed import roots (${roots.join(', ')})`);
  }
  return real;
}

export async function resolveStorageSource(deps: SourceDeps, rawPath: string, move: boolean): Promise<ResolvedSource> {
  if (isLocalPath(rawPath)) return resolveLocal(deps, await allowedLocalDir(rawPath, deps.importRoots));
  const prefix = safePrefix(rawPath, 'storage path');
  if (!prefix) throw new DomainError('INVALID_PATH', 'the storage path names the whole object store; name a folder');
  if (move && (prefix === REPOSITORY_PREFIX || prefix.startsWith(`${REPOSITORY_PREFIX}/`))) {
    throw new DomainError('FORBIDDEN', `"${prefix}" belongs to the model repository; import it with moveMode "copy"`);
  }
  const objects = await deps.blobs.list(prefix);
  if (!objects.length) throw new DomainError('SOURCE_NOT_FOUND', `storage path "${prefix}" holds no files`);
  const single = objects.length === 1 && objects[0]!.key === prefix;
  if (single && prefix.toLowerCase().endsWith('.zip')) return resolveZipObject(deps, prefix);
  const base = single ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : `${prefix}/`;
  const items = objects.map((o) => ({ path: o.key.slice(base.length), size: o.size, open: () => deps.blobs.get(o.key) }));
  // an object store written by other tools may hold `a` and `a/b`, or `a//b`; a version cannot
  for (const o of objects) safeRelativePath(o.key, 'storage object');
  checkNoPathConflicts(
    objects.map((o) => o.key),
    'storage object',
  );
  return {
    items,
    async removeOriginals() {
      for (const o of objects) await deps.blobs.delete(o.key);
    },
    async cleanup() {},
  };
}

async function resolveZipObject(deps: SourceDeps, key: string): Promise<ResolvedSource> {
  const dir = await deps.staging.create();
  try {
    const zipPath = path.join(dir, '..', `${path.basename(dir)}.zip`);
    await fsp.writeFile(zipPath, await deps.blobs.read(key));
    try {
      await unzipSafely(zipPath, dir, deps.zipLimits);
    } finally {
      await fsp.rm(zipPath, { force: true });
    }
    const local = await resolveLocal(deps, dir, true);
    return {
      ...local,
      removeOriginals: () => deps.blobs.delete(key),
      cleanup: () => deps.staging.remove(dir),
    };
  } catch (e) {
    await deps.staging.remove(dir);
    throw e;
  }
}

/** A local folder (staged upload, unpacked zip, or allowed import root). */
export async function resolveLocal(_deps: Pick<SourceDeps, 'staging'>, dir: string, stripTop = false): Promise<ResolvedSource> {
  let files;
  try {
    files = await listFilesRecursive(dir);
  } catch (e) {
    const link = (e as { symlink?: string }).symlink;
    if (link) throw new DomainError('UNSAFE_ARCHIVE_ENTRY', `"${link}" is a symbolic link; links are not imported`);
    throw e;
  }
  if (!files.length) throw new DomainError('EMPTY_IMPORT', 'the source holds no files');
  const { strip } = stripTop ? stripCommonTopFolder(files.map((f) => f.path)) : { strip: null };
  return {
    items: files.map((f) => ({
      path: strip ? f.path.slice(strip.length) : f.path,
      size: f.size,
      open: async () => fs.createReadStream(f.abs),
    })),
    async removeOriginals() {
      for (const f of files) await fsp.rm(f.abs, { force: true });
    },
    async cleanup() {},
  };
}
