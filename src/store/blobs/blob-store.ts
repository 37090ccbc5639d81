/**
 * The object store seam: model files, datasets and task outputs live here.
 * Implementations: FolderBlobStore (embedded default), S3BlobStore (s3://). Every
 * implementation passes blob-store.contract.ts.
 *
 * Keys are `/`-separated relative paths without empty, `.` or `..` segments, outside the
 * reserved `.tmp/` (see keys.ts; INVALID_PATH). No key is both an object and a folder of
 * others: a put or copy that would make one so throws PATH_CONFLICT and writes nothing.
 * Writes are atomic: a reader sees the old object or the whole new one, never a part.
 */
import type { Readable } from 'node:stream';

export interface BlobInfo {
  key: string;
  size: number;
  /** from `stat`, where the store keeps it beside the object (S3 metadata); never from `list` */
  sha256?: string;
}

export interface PutResult {
  size: number;
  sha256: string;
}

export interface BlobStore {
  /** Writes a whole object from a stream or buffer; returns its size and sha256. */
  put(key: string, body: Readable | Buffer, opts?: { maxBytes?: number }): Promise<PutResult>;
  /** Streams an object; throws OBJECT_NOT_FOUND. */
  get(key: string): Promise<Readable>;
  /** Reads a whole object into memory. */
  read(key: string): Promise<Buffer>;
  stat(key: string): Promise<BlobInfo | null>;
  /** Every object under a prefix (recursively), sorted by key. */
  list(prefix: string): Promise<BlobInfo[]>;
  /** Copies one object; returns what was written. */
  copy(from: string, to: string): Promise<PutResult>;
  delete(key: string): Promise<void>;
  /** Removes every object under a prefix. */
  deletePrefix(prefix: string): Promise<void>;
  /** A local file path for the object when the store is a folder (instances read models from it;
   * with other stores, see blob-cache.ts). */
  localPath?(key: string): string;
  /** Bytes that can still be written, where the store can tell (a folder: its file system). */
  freeBytes?(): Promise<number>;
}
