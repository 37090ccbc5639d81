/**
 * `modeldock fetch-blobs --prefix <key> --into <dir>`: copies a folder of the blob store
 * (MODELDOCK_BLOB_URL, MODELDOCK_S3_*, AWS_*) into a local folder, each file checked
 * against its sha256. The Kubernetes backend's init container runs it to put a model
 * version's files into the pod; it reads the store directly, not the REST API.
 * Exits 1 with the reason when a file is missing or does not match.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('fetch-blobs')
    .description('copy a blob-store folder into a local folder, verified by sha256 (the Kubernetes init container)')
    .requiredOption('--prefix <key>', "the blob-store folder, e.g. a model version's storage path")
    .requiredOption('--into <dir>', 'the local folder to fill')
    .action(async (o: { prefix: string; into: string }) => {
      const { loadConfig } = await import('../../config.js');
      const { openBlobStore } = await import('../../store/blobs/open.js');
      const { fetchFolder } = await import('../../store/blobs/blob-cache.js');
      const config = loadConfig();
      const blobs = await openBlobStore(config.blobUrl, config);
      const started = Date.now();
      const files = await fetchFolder(blobs, o.prefix, o.into);
      const bytes = files.reduce((a, f) => a + f.size, 0);
      process.stdout.write(`${JSON.stringify({ event: 'fetched', prefix: o.prefix, into: o.into, files: files.length, bytes, ms: Date.now() - started })}\n`);
    });
}
