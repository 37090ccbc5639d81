/**
 * The staging area on local disk (<dataDir>/staging): uploads land here first, are
 * checked and unpacked, and only then become a version. A staged folder that belongs
 * to a version is named after it, so an import interrupted by a restart can resume.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export interface StagedFile {
  path: string;
  abs: string;
  size: number;
}

export class StagingArea {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'staging');
    fs.mkdirSync(this.root, { recursive: true });
  }

  /** A fresh, empty folder for one upload. */
  async create(): Promise<string> {
    const dir = path.join(this.root, `tmp-${randomUUID()}`);
    await fsp.mkdir(dir, { recursive: true });
    return dir;
  }

  dirFor(versionId: string): string {
    return path.join(this.root, `v-${versionId}`);
  }

  /** Hands a checked upload to a version (atomic rename). */
  async adopt(tmpDir: string, versionId: string): Promise<string> {
    const dest = this.dirFor(versionId);
    await fsp.rename(tmpDir, dest);
    return dest;
  }

  async remove(dir: string): Promise<void> {
    await fsp.rm(dir, { recursive: true, force: true });
  }

  /** Leftover temp folders from uploads cut off by a crash. */
  async sweepTemp(): Promise<void> {
    for (const e of await fsp.readdir(this.root)) if (e.startsWith('tmp-')) await this.remove(path.join(this.root, e));
  }
}

/** Every regular file under `dir`, relative paths with `/`, sorted. Symlinks are refused. */
export async function listFilesRecursive(dir: string): Promise<StagedFile[]> {
  const out: StagedFile[] = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const abs = path.join(d, e.name);
      if (e.isSymbolicLink()) throw Object.assign(new Error(`"${r}" is a symbolic link`), { symlink: r });
      if (e.isDirectory()) await walk(abs, r);
      else if (e.isFile()) out.push({ path: r, abs, size: (await fsp.stat(abs)).size });
    }
  };
  await walk(dir, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
