/** Local files to upload: a folder walked recursively, or files named on the command line. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CliError } from './output.js';
import type { UploadFile } from './multipart.js';
import { ModeldockError } from '../client/errors.js';
import { walkFolder } from '../client/node/upload.js';

/** Every regular file under dir (symlinks followed), paths relative to dir with `/`, sorted (the SDK's walk). */
export async function walkDir(dir: string): Promise<UploadFile[]> {
  try {
    return await walkFolder(dir);
  } catch (e) {
    if (e instanceof ModeldockError && e.code === 'NOT_A_FOLDER') throw new CliError(e.message);
    throw e;
  }
}

/**
 * Files named on the command line: a file keeps its base name, a folder uploads its
 * contents under the folder's own name (`code/` → `code/util.py`). Optional prefix
 * puts everything under a folder.
 */
export async function collectUploads(args: string[], prefix = ''): Promise<UploadFile[]> {
  const pre = prefix.replace(/^\/+|\/+$/g, '');
  const join = (p: string) => (pre ? `${pre}/${p}` : p);
  const out: UploadFile[] = [];
  for (const arg of args) {
    const st = await fs.stat(arg).catch(() => undefined);
    if (!st) throw new CliError(`${arg}: no such file or folder`);
    if (st.isDirectory()) {
      const name = path.basename(path.resolve(arg));
      for (const f of await walkDir(arg)) out.push({ ...f, path: join(`${name}/${f.path}`) });
    } else if (st.isFile()) out.push({ path: join(path.basename(arg)), localPath: path.resolve(arg), size: st.size });
    else throw new CliError(`${arg} is neither a file nor a folder`);
  }
  const seen = new Set<string>();
  for (const f of out) {
    if (seen.has(f.path)) throw new CliError(`two files would be uploaded as "${f.path}"`);
    seen.add(f.path);
  }
  if (!out.length) throw new CliError('nothing to upload: the folders are empty');
  return out;
}

/** One local file as an upload named `as`. */
export async function oneFile(localPath: string, as: string): Promise<UploadFile> {
  const st = await fs.stat(localPath).catch(() => undefined);
  if (!st?.isFile()) throw new CliError(`${localPath} is not a file`);
  return { path: as, localPath: path.resolve(localPath), size: st.size };
}
