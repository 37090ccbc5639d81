/**
 * A task's code, copied into the object store when the task is created (so later changes
 * to the source do not change what a restart runs): from a built-in example, a folder or
 * zip in the object store (or file:/// under an import root), or an upload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DomainError } from '../contracts/errors.js';
import type { TaskCodeSource } from '../contracts/tasks.js';
import { listFilesRecursive } from '../files/staging.js';
import { resolveStorageSource, type ResolvedSource, type SourceDeps } from '../files/sources.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import { exampleDir } from './examples.js';

/** Copies the code into `dest` in the object store; returns how many files. */
export async function storeCode(deps: SourceDeps, source: TaskCodeSource, dest: string, stagedDir?: string): Promise<number> {
  let resolved: ResolvedSource;
  if (source.type === 'example') resolved = await folderSource(exampleDir(source.name), ['example.json']);
  else if (source.type === 'storage') resolved = await resolveStorageSource(deps, source.path, false);
  else {
    if (!stagedDir) throw new DomainError('INVALID_ARGUMENT', 'code.type "upload" needs a multipart request with the files');
    resolved = await folderSource(stagedDir, []);
  }
  try {
    await copyInto(deps.blobs, resolved, dest);
    return resolved.items.length;
  } catch (e) {
    await deps.blobs.deletePrefix(dest).catch(() => undefined);
    throw e;
  } finally {
    await resolved.cleanup();
  }
}

async function copyInto(blobs: BlobStore, src: ResolvedSource, dest: string): Promise<void> {
  for (const item of src.items) await blobs.put(`${dest}/${item.path}`, await item.open());
}

async function folderSource(dir: string, skip: string[]): Promise<ResolvedSource> {
  const files = (await listFilesRecursive(dir)).filter((f) => !skip.includes(f.path) && !f.path.split('/').includes('__pycache__'));
  if (!files.length) throw new DomainError('EMPTY_IMPORT', 'the code holds no files');
  return {
    items: files.map((f) => ({ path: f.path, size: f.size, open: async () => fs.createReadStream(path.join(dir, f.path)) })),
    async removeOriginals() {},
    async cleanup() {},
  };
}
