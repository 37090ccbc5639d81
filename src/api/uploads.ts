/** Multipart uploads for a plugin's routes, with the platform's size and count limits. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart, { type Multipart } from '@fastify/multipart';
import type { Config } from '../config.js';
import { DomainError, isDomainError } from '../contracts/errors.js';

export async function registerUploads(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(multipart, {
    preservePath: true,
    throwFileSizeLimit: true,
    limits: {
      fileSize: config.limits.maxUploadBytes,
      files: config.limits.maxArchiveEntries,
      parts: config.limits.maxArchiveEntries + 50,
      fieldSize: 64 * 1024,
    },
  } as Parameters<typeof multipart>[1]);
}

/**
 * Hands each part of a multipart request to `handle`, in order. A body that cannot be
 * parsed (no boundary, not multipart at all, cut short) is INVALID_MULTIPART, wherever
 * the parser notices it: when parsing starts, between parts, or inside a file's stream.
 */
export async function forEachPart(req: FastifyRequest, handle: (part: Multipart) => Promise<void>): Promise<void> {
  try {
    for await (const part of req.parts()) await handle(part);
  } catch (e) {
    throw multipartError(e);
  }
}

/** busboy's own errors carry no code; these are its messages for a body it cannot parse. */
const PARSE_FAILURE = /^Multipart: Boundary not found$|unexpected end of multipart data|^The needle cannot|^Boundary required$/i;

export function multipartError(e: unknown): unknown {
  if (isDomainError(e)) return e;
  const err = e as { message?: unknown; code?: unknown };
  const message = typeof err?.message === 'string' ? err.message : '';
  if (err?.code === 'FST_MP_PREMATURE_CLOSE' || (err?.code === undefined && PARSE_FAILURE.test(message))) {
    return new DomainError(
      'INVALID_MULTIPART',
      `the multipart/form-data body cannot be parsed (${message}): send a boundary in the Content-Type and end the body with its closing boundary`,
    );
  }
  return e;
}
