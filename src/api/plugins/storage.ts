/**
 * /api/v1/storage: the object store (what TI-ONE users know as COS) — datasets, task
 * outputs, model folders to import from. The repository's own area (models/) is
 * read-only here; the store's own working area (.tmp/) is out of reach altogether.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Config } from '../../config.js';
import { DomainError } from '../../contracts/errors.js';
import type { BlobStore } from '../../store/blobs/blob-store.js';
import { isReservedKey, safePrefix, safeRelativePath } from '../../store/blobs/keys.js';
import { REPOSITORY_PREFIX } from '../../files/sources.js';
import { rawBody, registerRawBodyRoutes } from '../raw-body.js';

const ObjectParams = Type.Object({ '*': Type.String() });

/** A user-given storage path outside the store's own area, or FORBIDDEN. */
function userKey(key: string): string {
  if (isReservedKey(key))
    throw new DomainError('FORBIDDEN', `"${key.split('/')[0]}/" is the object store's own working area; it cannot be read or changed through the API`);
  return key;
}

function readableKey(raw: string): string {
  return userKey(safeRelativePath(raw, 'storage path'));
}

function writableKey(raw: string): string {
  const key = readableKey(raw);
  if (key === REPOSITORY_PREFIX || key.startsWith(`${REPOSITORY_PREFIX}/`)) {
    throw new DomainError('FORBIDDEN', `"${REPOSITORY_PREFIX}/" is managed by the model repository; change model files through /api/v1/models`);
  }
  return key;
}

export function storagePlugin(deps: { blobs: BlobStore; config: Config }): FastifyPluginAsync {
  const { blobs, config } = deps;
  const tags = ['storage'];
  return async (app) => {
    app.get(
      '/api/v1/storage',
      {
        schema: {
          tags,
          summary: 'List objects under a prefix',
          querystring: Type.Object({ prefix: Type.Optional(Type.String()) }),
          response: { 200: Type.Object({ items: Type.Array(Type.Object({ path: Type.String(), size: Type.Integer() })) }) },
        },
      },
      async (req) => {
        const prefix = safePrefix((req.query as { prefix?: string }).prefix);
        const items = await blobs.list(prefix && userKey(prefix));
        return { items: items.filter((o) => !isReservedKey(o.key)).map((o) => ({ path: o.key, size: o.size })) };
      },
    );

    registerRawBodyRoutes(app, (scope) => {
      scope.put(
        '/api/v1/storage/*',
        { schema: { tags, summary: 'Store an object (raw body, any Content-Type)', params: ObjectParams, consumes: ['application/octet-stream'] } },
        async (req) => {
          const key = writableKey((req.params as { '*': string })['*']);
          const r = await blobs.put(key, rawBody(req), { maxBytes: config.limits.maxUploadBytes });
          return { path: key, ...r };
        },
      );
    });

    app.get('/api/v1/storage/*', { schema: { tags, summary: 'Download an object', params: ObjectParams } }, async (req, reply) => {
      const key = readableKey((req.params as { '*': string })['*']);
      const info = await blobs.stat(key);
      if (!info) throw new DomainError('OBJECT_NOT_FOUND', `no object at "${key}"`);
      reply.header('content-type', 'application/octet-stream');
      reply.header('content-length', String(info.size));
      return reply.send(await blobs.get(key));
    });

    app.delete(
      '/api/v1/storage/*',
      {
        schema: {
          tags,
          summary: 'Delete an object, or a folder with recursive=true',
          params: ObjectParams,
          querystring: Type.Object({ recursive: Type.Optional(Type.Boolean()) }),
        },
      },
      async (req, reply) => {
        const key = writableKey((req.params as { '*': string })['*']);
        if ((req.query as { recursive?: boolean }).recursive) await blobs.deletePrefix(key);
        else {
          if (!(await blobs.stat(key))) throw new DomainError('OBJECT_NOT_FOUND', `no object at "${key}"`);
          await blobs.delete(key);
        }
        return reply.code(204).send();
      },
    );
  };
}
