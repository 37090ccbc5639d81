/** Multipart uploads for a plugin's routes, with the platform's size and count limits. */
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { Config } from '../config.js';

export async function registerUploads(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(multipart, {
    preservePath: true,
    throwFileSizeLimit: true,
    limits: { fileSize: config.limits.maxUploadBytes, files: config.limits.maxArchiveEntries, parts: config.limits.maxArchiveEntries + 50, fieldSize: 64 * 1024 },
  } as Parameters<typeof multipart>[1]);
}
