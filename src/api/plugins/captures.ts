/**
 * Payload capture over REST (docs/capture.md): a version's capture setting, changed live,
 * and browsing and downloading what was captured.
 *   PUT /api/v1/services/{name}/versions/{version}/capture   {percent, maxBodyBytes?}
 *   GET /api/v1/services/{name}/captures?version&status&since&until&cursor&limit
 *   GET /api/v1/services/{name}/capture-files?version&since&until
 *   GET /api/v1/services/{name}/capture-files/{file}          one JSONL file
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { CaptureSpec } from '../../contracts/capture.js';
import { CAPTURE_STATUS_PATTERN, type CaptureQuery, type CaptureReader } from '../../services/capture/capture-reader.js';
import type { ServiceManager } from '../../services/service-manager.js';
import { CaptureSpecSchema } from '../../services/service-spec.js';

const NameParams = Type.Object({ name: Type.String() });
const TIME = 'an ISO 8601 time, or a duration ago: 30s, 15m, 2h, 7d';
const Window = {
  version: Type.Optional(Type.Integer({ minimum: 1, description: 'only this version (its number)' })),
  since: Type.Optional(Type.String({ maxLength: 64, description: TIME })),
  until: Type.Optional(Type.String({ maxLength: 64, description: TIME })),
};
const CapturesQuery = Type.Object({
  ...Window,
  status: Type.Optional(Type.String({ pattern: CAPTURE_STATUS_PATTERN, description: '2xx, 4xx, 5xx, a status such as 503, or error (≥ 400)' })),
  cursor: Type.Optional(Type.String({ maxLength: 2048, description: 'nextCursor of the page before' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});

export function capturesPlugin(deps: { services: ServiceManager; reader: CaptureReader }): FastifyPluginAsync {
  const { services, reader } = deps;
  const tags = ['services'];
  return async (app) => {
    app.put(
      '/api/v1/services/:name/versions/:version/capture',
      {
        schema: {
          tags,
          summary: "Turn a version's payload capture on or off, or change its share (no restart)",
          params: Type.Object({ name: Type.String(), version: Type.String() }),
          body: CaptureSpecSchema,
        },
      },
      async (req) => {
        const p = req.params as { name: string; version: string };
        return services.setCapture(p.name, p.version, req.body as CaptureSpec);
      },
    );

    app.get(
      '/api/v1/services/:name/captures',
      { schema: { tags, summary: 'Captured calls, newest first (filter by version, status, time)', params: NameParams, querystring: CapturesQuery } },
      async (req) => {
        const name = (req.params as { name: string }).name;
        await services.get(name);
        return reader.query(name, req.query as CaptureQuery);
      },
    );

    app.get(
      '/api/v1/services/:name/capture-files',
      { schema: { tags, summary: "The service's capture files (JSONL), newest first", params: NameParams, querystring: Type.Object(Window) } },
      async (req) => {
        const name = (req.params as { name: string }).name;
        await services.get(name);
        return { items: await reader.files(name, req.query as CaptureQuery) };
      },
    );

    app.get(
      '/api/v1/services/:name/capture-files/*',
      { schema: { tags, summary: 'Download one capture file (JSON lines)', params: Type.Object({ name: Type.String(), '*': Type.String() }) } },
      async (req, reply) => {
        const p = req.params as { name: string; '*': string };
        await services.get(p.name);
        const body = await reader.download(p.name, p['*']);
        reply.header('content-type', 'application/x-ndjson');
        reply.header('content-disposition', `attachment; filename="${p['*'].split('/').pop()}"`);
        return reply.send(body);
      },
    );
  };
}
