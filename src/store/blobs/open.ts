/** Opens the blob store named by a URL: file://<dir> (embedded default). */
import { fileURLToPath } from 'node:url';
import type { BlobStore } from './blob-store.js';
import { FolderBlobStore } from './folder-blob-store.js';

export function openBlobStore(url: string): BlobStore {
  if (url.startsWith('file://')) return new FolderBlobStore(url.startsWith('file:///') ? fileURLToPath(url) : url.slice('file://'.length));
  throw new Error(`unsupported blob URL "${url}": use file://<dir>`);
}
