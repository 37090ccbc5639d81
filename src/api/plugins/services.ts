/** /api/v1/services: online services over REST (DESIGN.md §3). */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ServiceManager } from '../../services/service-manager.js';
import type { LogStore } from '../../logs/log-store.js';
import type { ServiceMetrics } from '../../services/service-metrics.js';
import type { MetricsHistory } from '../../services/metrics-history.js';
import {
  ActionSchema,
  ServiceCreateSchema,
  ServicePatchSchema,
  VersionSpecSchema,
  WeightsSchema,
  type ServiceCreate,
  type ServicePatch,
  type VersionSpecInput,
} from '../../services/service-spec.js';
import { callInfo, type CallFacts } from '../../services/call-info.js';
import type { Service } from '../../contracts/services.js';
import { checkJsonDepth } from '../../http/json-depth.js';
import { endStreamsOnClose, followSse, resumeCursor } from '../sse.js';

const NameParams = Type.Object({ name: Type.String() });
const VersionParams = Type.Object({ name: Type.String(), version: Type.String() });
type N = { name: string };

const LogsQuery = Type.Object({
  since: Type.Optional(Type.String()),
  until: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  version: Type.Optional(Type.String({ pattern: '^[vV]?[1-9][0-9]{0,8}$', description: 'only lines of this version (2 or v2)' })),
  level: Type.Optional(
    Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], { description: 'this level and above' }),
  ),
  keyword: Type.Optional(Type.String({ maxLength: 200, description: 'text the line contains (any case)' })),
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'cursor: the last seq seen; lines after it, oldest first' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 200 })),
});

/**
 * `facts`: what call-info knows of a service's package (src/services/call-facts.ts); without it, examples go by runtime.
 * `grpcPort`: the gateway's gRPC port once it listens, for call-info's gRPC address.
 */
export function servicesPlugin(deps: {
  services: ServiceManager;
  logs: LogStore;
  metrics: ServiceMetrics;
  history?: MetricsHistory;
  facts?: (s: Service) => Promise<CallFacts>;
  grpcPort?: () => number | undefined;
}): FastifyPluginAsync {
  const { services, logs, metrics } = deps;
  const tags = ['services'];
  return async (app) => {
    endStreamsOnClose(app);
    // PATCH bodies may come as RFC 7396's application/merge-patch+json: parsed as JSON is
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, (req, body, done) =>
      parseJson(req, body as string, (err, value) => {
        if (err) return done(err as Error);
        try {
          done(null, checkJsonDepth(value));
        } catch (e) {
          done(e as Error);
        }
      }),
    );
    app.post('/api/v1/services', { schema: { tags, summary: 'Create a service with its first version', body: ServiceCreateSchema } }, async (req, reply) => {
      reply.code(202);
      return services.create(req.body as ServiceCreate);
    });

    app.get(
      '/api/v1/services',
      {
        schema: {
          tags,
          summary: 'List services',
          querystring: Type.Object({
            keyword: Type.Optional(Type.String()),
            offset: Type.Optional(Type.Integer({ minimum: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          }),
        },
      },
      async (req) => services.list(req.query as { keyword?: string; offset?: number; limit?: number }),
    );

    app.get('/api/v1/services/:name', { schema: { tags, summary: 'Show a service', params: NameParams } }, async (req) => services.get((req.params as N).name));

    app.patch(
      '/api/v1/services/:name',
      {
        schema: {
          tags,
          summary: 'Change description, tags, auth or shadow traffic (JSON merge patch: null clears a field, removes a tag or turns the shadow off)',
          params: NameParams,
          body: ServicePatchSchema,
        },
      },
      async (req) => services.update((req.params as N).name, req.body as ServicePatch),
    );

    app.delete(
      '/api/v1/services/:name',
      { schema: { tags, summary: 'Delete a service (drains its instances first)', params: NameParams } },
      async (req, reply) => {
        await services.delete((req.params as N).name);
        return reply.code(202).send({ name: (req.params as N).name, status: 'Deleting' });
      },
    );

    app.post(
      '/api/v1/services/:name/versions',
      { schema: { tags, summary: 'Add a version (its weight decides its traffic)', params: NameParams, body: VersionSpecSchema } },
      async (req, reply) => {
        reply.code(202);
        return services.addVersion((req.params as N).name, req.body as VersionSpecInput);
      },
    );

    app.put(
      '/api/v1/services/:name/versions/:version',
      { schema: { tags, summary: "Change a version's settings (rolling update)", params: VersionParams, body: VersionSpecSchema } },
      async (req, reply) => {
        const p = req.params as { name: string; version: string };
        reply.code(202);
        return services.updateVersion(p.name, p.version, req.body as VersionSpecInput);
      },
    );

    app.delete(
      '/api/v1/services/:name/versions/:version',
      { schema: { tags, summary: 'Remove a version (its instances are drained and stopped; the others keep their weights)', params: VersionParams } },
      async (req, reply) => {
        const p = req.params as { name: string; version: string };
        reply.code(202);
        return services.removeVersion(p.name, p.version);
      },
    );

    app.put('/api/v1/services/:name/weights', { schema: { tags, summary: 'Set traffic weights', params: NameParams, body: WeightsSchema } }, async (req) =>
      services.setWeights((req.params as N).name, (req.body as { weights: { version: string | number; weight: number }[] }).weights),
    );

    app.post(
      '/api/v1/services/:name/actions',
      { schema: { tags, summary: 'stop, resume or scale', params: NameParams, body: ActionSchema } },
      async (req, reply) => {
        reply.code(202);
        return services.action((req.params as N).name, req.body as { action: 'stop' | 'resume' | 'scale'; instances?: number });
      },
    );

    app.get(
      '/api/v1/services/:name/instances',
      { schema: { tags, summary: 'Instances with phase, readiness and restarts', params: NameParams } },
      async (req) => ({
        items: await services.instances((req.params as N).name),
      }),
    );

    app.get(
      '/api/v1/services/:name/events',
      {
        schema: {
          tags,
          summary: 'Normal and Warning events, newest first',
          params: NameParams,
          querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        },
      },
      async (req) => ({
        items: await services.events((req.params as N).name, (req.query as { limit?: number }).limit),
      }),
    );

    app.get(
      '/api/v1/services/:name/logs',
      { schema: { tags, summary: 'Instance and access logs', params: NameParams, querystring: LogsQuery } },
      async (req) => {
        const name = (req.params as N).name;
        await services.get(name);
        const q = req.query as typeof LogsQuery.static;
        return logs.query(name, { ...q, limit: q.limit ?? 200 });
      },
    );

    // the same query, followed: text/event-stream, one `log` event per line (id = its seq)
    app.get(
      '/api/v1/services/:name/logs/stream',
      {
        schema: {
          tags,
          summary: 'Follow logs as server-sent events (Last-Event-ID resumes)',
          params: NameParams,
          querystring: LogsQuery,
          produces: ['text/event-stream'],
        },
      },
      async (req, reply) => {
        const name = (req.params as N).name;
        await services.get(name);
        const q = req.query as typeof LogsQuery.static;
        const source = {
          page: (after: number | undefined) => logs.query(name, { ...q, after, limit: after === undefined ? (q.limit ?? 200) : 500 }),
          subscribe: (wake: () => void) => logs.subscribe((l) => l.service === name && wake()),
        };
        await followSse(req, reply, source, resumeCursor(req, q.after));
      },
    );

    app.get(
      '/api/v1/services/:name/metrics',
      {
        schema: {
          tags,
          summary: 'Time series in 10 s buckets: qps, errors, p50/p99 latency, ready instances, mean batch size',
          params: NameParams,
          querystring: Type.Object({ window: Type.Optional(Type.String({ pattern: '^[0-9]+(s|m|h)$', default: '15m' })) }),
        },
      },
      async (req) => {
        const name = (req.params as N).name;
        await services.get(name);
        const w = (req.query as { window?: string }).window ?? '15m';
        const ms = Number(w.slice(0, -1)) * ({ s: 1_000, m: 60_000, h: 3_600_000 } as const)[w.slice(-1) as 's' | 'm' | 'h'];
        return { window: w, points: deps.history ? await deps.history.window(name, ms) : metrics.window(name, ms) };
      },
    );

    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });

    app.get(
      '/api/v1/services/:name/call-info',
      { schema: { tags, summary: 'How to call the service: URL, headers, curl, example calls that work for its package', params: NameParams } },
      async (req) => {
        const s = await services.get((req.params as N).name);
        return callInfo(s, (await deps.facts?.(s).catch(() => undefined)) ?? {}, deps.grpcPort?.());
      },
    );
  };
}
