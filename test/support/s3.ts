/**
 * A real S3-protocol server on loopback for tests: s3rver (filesystem-backed, SigV4-checked
 * with the fixed credentials S3RVER/S3RVER), in a child process of the test (s3rver-main.cjs)
 * because its continuation tokens need OpenSSL's legacy provider.
 *
 * What s3rver does: PUT/GET/HEAD/DELETE object with user metadata, CopyObject, DeleteObjects
 * (batch), ListObjectsV2 with prefix, max-keys and continuation tokens, multipart upload (create, upload part,
 * complete, abort). What it does not, so these tests do not cover it: versioning, object
 * lock, server-side encryption headers, conditional writes (If-None-Match), checksum
 * trailers (the store turns those off: requestChecksumCalculation WHEN_REQUIRED), multipart ETags of the "<md5>-<parts>" form, virtual-
 * host style without DNS (we use path style), and real S3's eventual quirks and throttling.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { S3Options } from '../../src/store/blobs/s3-blob-store.js';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** options for S3BlobStore / config.s3 */
  options(partMiB?: number): S3Options;
  /** the env a platform process needs: MODELDOCK_BLOB_URL and friends */
  env(prefix: string): Record<string, string>;
  close(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./s3rver-main.cjs', import.meta.url));

export async function startS3(bucket = 'modeldock-test'): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'md-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', MAIN, directory, bucket], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([l]) => l as string),
    once(child, 'exit').then(([code]) => {
      throw new Error(`s3rver exited with code ${code} before listening`);
    }),
  ]);
  const { port } = JSON.parse(first) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const options = (partMiB = 16): S3Options => ({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    sessionToken: '',
    multipartPartMiB: partMiB,
  });
  return {
    endpoint,
    bucket,
    options,
    env: (prefix) => ({
      MODELDOCK_BLOB_URL: `s3://${bucket}/${prefix}`,
      MODELDOCK_S3_ENDPOINT: endpoint,
      MODELDOCK_S3_FORCE_PATH_STYLE: 'true',
      MODELDOCK_S3_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    }),
    async close() {
      if (child.exitCode === null) {
        child.stdin!.end();
        await once(child, 'exit');
      }
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
