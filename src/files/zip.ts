/**
 * Zip in and out. `unzipSafely` refuses entries that escape the target (`../`, absolute
 * paths, symlinks, duplicates, empty segments like `a//b`), entries that make a path
 * both a file and a folder (`a` and `a/b`: PATH_CONFLICT), and zip bombs (entry count,
 * total size, compression ratio — all checked against the real bytes, not only the
 * headers), and writes nothing outside `destDir`. `zipEntries` streams a zip of named sources.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { DomainError, isDomainError } from '../contracts/errors.js';
import { safeRelativePath } from '../store/blobs/keys.js';
import { PathSet } from '../store/blobs/path-set.js';

export interface ZipLimits {
  maxEntries: number;
  maxBytes: number;
  /** uncompressed / compressed, checked for entries over 1 MiB */
  maxRatio: number;
}

/** The configured archive limits (config.limits) as the unpacker takes them. */
export function zipLimitsOf(l: { maxArchiveEntries: number; maxArchiveBytes: number; maxArchiveRatio: number }): ZipLimits {
  return { maxEntries: l.maxArchiveEntries, maxBytes: l.maxArchiveBytes, maxRatio: l.maxArchiveRatio };
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const RATIO_FLOOR_BYTES = 1024 * 1024;

export interface UnzippedFile {
  path: string;
  size: number;
}

/** Unpacks `zipFile` into `destDir` (which must exist and be empty). */
export async function unzipSafely(zipFile: string, destDir: string, limits: ZipLimits): Promise<UnzippedFile[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(zipFile, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: false }, (err, z) =>
        err || !z ? reject(err) : resolve(z),
      ),
    );
  } catch (e) {
    throw new DomainError('INVALID_ARCHIVE', `the zip cannot be read: ${(e as Error).message}`);
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new DomainError('ARCHIVE_TOO_LARGE', `the zip has ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed`);
  }
  const files: UnzippedFile[] = [];
  const seen = new PathSet();
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (e: unknown) => {
        zip.close();
        reject(e);
      };
      zip.on('error', (e) => fail(isDomainError(e) ? e : new DomainError('INVALID_ARCHIVE', `the zip is damaged: ${(e as Error).message}`)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        handleEntry(
          zip,
          entry,
          destDir,
          limits,
          seen,
          () => total,
          (n) => (total += n),
        )
          .then((f) => {
            if (f) files.push(f);
            zip.readEntry();
          })
          .catch(fail);
      });
      zip.readEntry();
    });
  } catch (e) {
    await fsp.rm(destDir, { recursive: true, force: true });
    await fsp.mkdir(destDir, { recursive: true });
    throw e;
  }
  return files;
}

async function handleEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  destDir: string,
  limits: ZipLimits,
  seen: PathSet,
  total: () => number,
  add: (n: number) => void,
): Promise<UnzippedFile | null> {
  // Names are decoded here rather than by yauzl, so that hostile names reach our checks.
  const raw = entry.fileName as unknown as Buffer;
  const name = Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
  const isDir = name.endsWith('/');
  if (isDir && (name === '/' || name === './')) return null;
  // a leading `./` is how some tools write every entry; anything else is taken as written
  const asWritten = name.startsWith('./') ? name.slice(2) : name;
  let rel: string;
  try {
    rel = safeRelativePath(isDir ? asWritten.slice(0, -1) : asWritten, 'zip entry');
  } catch (e) {
    throw new DomainError('UNSAFE_ARCHIVE_ENTRY', (e as Error).message);
  }
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (mode === S_IFLNK) throw new DomainError('UNSAFE_ARCHIVE_ENTRY', `zip entry "${name}" is a symbolic link`);
  if (isDir) return null;
  if (rel.split('/')[0] === '__MACOSX') return null;
  if (seen.has(rel)) throw new DomainError('UNSAFE_ARCHIVE_ENTRY', `zip entry "${rel}" appears twice`);
  seen.add(rel, 'zip entry');
  if (total() + entry.uncompressedSize > limits.maxBytes) {
    throw new DomainError('ARCHIVE_TOO_LARGE', `the zip unpacks to more than ${limits.maxBytes} bytes`);
  }
  if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize / Math.max(1, entry.compressedSize) > limits.maxRatio) {
    throw new DomainError(
      'ARCHIVE_TOO_LARGE',
      `zip entry "${rel}" compresses ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}:1, over the allowed ${limits.maxRatio}:1 (zip bomb?)`,
    );
  }
  const target = path.join(destDir, rel);
  if (!target.startsWith(destDir + path.sep)) throw new DomainError('UNSAFE_ARCHIVE_ENTRY', `zip entry "${name}" escapes the target folder`);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err || !s ? reject(err) : resolve(s))));
  let written = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _e, cb) {
      written += chunk.length;
      if (total() + written > limits.maxBytes) {
        cb(new DomainError('ARCHIVE_TOO_LARGE', `the zip unpacks to more than ${limits.maxBytes} bytes`));
        return;
      }
      cb(null, chunk);
    },
  });
  try {
    await pipeline(stream, guard, fs.createWriteStream(target, { flags: 'wx' }));
  } catch (e) {
    if (isDomainError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new DomainError('STORAGE_FULL', 'the storage device is full; nothing was stored');
    throw new DomainError('INVALID_ARCHIVE', `zip entry "${rel}" cannot be unpacked: ${(e as Error).message}`);
  }
  add(written);
  return { path: rel, size: written };
}

/** If every file sits under one top folder (`classify/…`), drops that folder from the paths. */
export function stripCommonTopFolder(paths: string[]): { strip: string | null } {
  if (paths.length === 0) return { strip: null };
  const tops = new Set(paths.map((p) => (p.includes('/') ? p.split('/')[0] : '')));
  if (tops.size !== 1) return { strip: null };
  const [top] = [...tops];
  return { strip: top ? `${top}/` : null };
}

export interface ZipSource {
  path: string;
  open: () => Promise<Readable>;
}

/** Streams a zip of the given sources, one after another. */
export function zipEntries(sources: ZipSource[]): Readable {
  const zip = new yazl.ZipFile();
  const out = zip.outputStream as Readable;
  (async () => {
    for (const s of sources) {
      const stream = await s.open();
      zip.addReadStream(stream, s.path, { mtime: new Date(), mode: 0o100644 });
      await new Promise<void>((resolve, reject) => {
        stream.once('end', resolve);
        stream.once('error', reject);
      });
    }
    zip.end();
  })().catch((e) => out.destroy(e as Error));
  return out;
}
