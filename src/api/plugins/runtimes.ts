/** /api/v1/runtimes: the runtime environment catalog with availability on this machine. */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Config } from '../../config.js';
import { runtimeCatalog } from '../../runtime-catalog/catalog.js';

export const RuntimeSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  description: Type.String(),
  formats: Type.Array(Type.String()),
  available: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  details: Type.Optional(Type.Record(Type.String(), Type.String())),
});

export function runtimesPlugin(deps: { config: Config }): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/v1/runtimes',
      { schema: { tags: ['runtimes'], summary: 'List runtime environments', response: { 200: Type.Object({ items: Type.Array(RuntimeSchema) }) } } },
      async () => ({
        items: await runtimeCatalog(deps.config.pythonPath),
      }),
    );
  };
}
