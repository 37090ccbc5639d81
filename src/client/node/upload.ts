/**
 * Node-only SDK helpers: folders and files on disk as streamed uploads (multipart with an
 * exact Content-Length, progress per chunk), and an answer saved to a file. Import them
 * from src/client/node; the browser-safe core never reads the disk.
 */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ModelVersion, VersionFile } from '../../contracts/resources.js';
import type { ModeldockClient } from '../client.js';
import { ModeldockError } from '../errors.js';
import type { RawBody } from '../http.js';
import type { VersionSpec } from '../models.js';
import { fileChunks, multipartBody, type MultipartField, type UploadFile } from './multipart.js';

/** Called as bytes go out: bytes sent so far, and the total. */
export type OnProgress = (sent: number, total: number) => void;

/** Every regular file under dir (symlinks followed), paths relative to dir with `/`, sorted. */
export async function walkFolder(dir: string): Promise<UploadFile[]> {
  const root = path.resolve(dir);
  const st = await fs.stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new ModeldockError('NOT_A_FOLDER', 0, `${dir} is not a folder`);
  const out: UploadFile[] = [];
  const visit = async (abs: string, rel: string, depth: number): Promise<void> => {
    if (depth > 64) throw new ModeldockError('NOT_A_FOLDER', 0, `${abs}: folders nested too deep (a symlink loop?)`);
    for (const e of await fs.readdir(abs, { withFileTypes: true })) {
      const childAbs = path.join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const s = await fs.stat(childAbs).catch(() => undefined);
      if (s?.isDirectory()) await visit(childAbs, childRel, depth + 1);
      else if (s?.isFile()) out.push({ path: childRel, localPath: childAbs, size: s.size });
    }
  };
  await visit(root, '', 0);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Local files (each by its base name) as uploads. */
export async function filesOf(localPaths: string[]): Promise<UploadFile[]> {
  return Promise.all(
    localPaths.map(async (p) => {
      const st = await fs.stat(p).catch(() => undefined);
      if (!st?.isFile()) throw new ModeldockError('NOT_A_FILE', 0, `${p} is not a file`);
      return { path: path.basename(p), localPath: path.resolve(p), size: st.size };
    }),
  );
}

/** A streamed multipart body of fields and files, reporting progress on file bytes. */
export function multipartUpload(fields: MultipartField[], files: UploadFile[], onProgress?: OnProgress): RawBody {
  const mp = multipartBody(fields, files);
  const total = files.reduce((a, f) => a + f.size, 0);
  let sent = 0;
  return { data: mp.stream(onProgress && ((n) => onProgress((sent += n), total))), length: mp.length, contentType: mp.contentType };
}

/** One file on disk as a raw body. */
export function fileBody(file: UploadFile, onProgress?: OnProgress): RawBody {
  let sent = 0;
  return { data: fileChunks(file, onProgress && ((n) => onProgress((sent += n), file.size))), length: file.size, contentType: 'application/octet-stream' };
}

/** Imports a folder as a new version of `model` (multipart upload, source "upload"); answers the version, importing. */
export async function importFolder(
  client: ModeldockClient,
  model: string,
  dir: string,
  spec: Omit<VersionSpec, 'source'> = {},
  opts: { onProgress?: OnProgress } = {},
): Promise<ModelVersion> {
  const files = await walkFolder(dir);
  const body = multipartUpload([{ name: 'spec', value: JSON.stringify({ ...spec, source: { type: 'upload' } }) }], files, opts.onProgress);
  return client.models.importUpload(model, body);
}

/** Adds or replaces files in a version (each under its base name, or `prefix/` + it). */
export async function uploadVersionFiles(
  client: ModeldockClient,
  model: string,
  version: string,
  localPaths: string[],
  opts: { prefix?: string; onProgress?: OnProgress } = {},
): Promise<VersionFile[]> {
  const fields = opts.prefix ? [{ name: 'prefix', value: opts.prefix }] : [];
  return client.models.uploadFiles(model, version, multipartUpload(fields, await filesOf(localPaths), opts.onProgress));
}

/** Puts every file of a folder into object storage under `prefix` (one PUT each); answers what was stored. */
export async function putFolder(client: ModeldockClient, dir: string, prefix: string, opts: { onProgress?: OnProgress } = {}): Promise<VersionFile[]> {
  const files = await walkFolder(dir);
  const total = files.reduce((a, f) => a + f.size, 0);
  let done = 0;
  const out: VersionFile[] = [];
  for (const f of files) {
    const base = done;
    const key = `${prefix.replace(/\/+$/, '')}/${f.path}`;
    out.push(await client.storage.put(key, fileBody(f, opts.onProgress && ((n) => opts.onProgress!(base + n, total)))));
    done += f.size;
  }
  return out;
}

/** Saves an answer's bytes to a file (a temp file renamed into place once complete). */
export async function saveTo(res: Response, file: string): Promise<{ path: string; size: number }> {
  if (!res.body) throw new ModeldockError('INVALID_RESPONSE', res.status, 'the answer has no body');
  const target = path.resolve(file);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.part-${process.pid}`;
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(tmp));
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  return { path: target, size: (await fs.stat(target)).size };
}
