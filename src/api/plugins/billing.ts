/** /api/v1/resource-groups (prepaid capacity) and /api/v1/services/{name}/usage (postpaid metering). */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { NAME_PATTERN } from '../../contracts/names.js';
import type { Billing } from '../../billing/billing.js';
import type { ServiceManager } from '../../services/service-manager.js';

const GroupCreate = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN }),
    cpuMillicores: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
    memoryMiB: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    gpu: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  },
  { additionalProperties: false },
);

export function billingPlugin(deps: { billing: Billing; services: ServiceManager }): FastifyPluginAsync {
  const { billing, services } = deps;
  return async (app) => {
    const tags = ['billing'];
    app.post('/api/v1/resource-groups', { schema: { tags, summary: 'Create a resource group (prepaid capacity)', body: GroupCreate } }, async (req, reply) => {
      reply.code(201);
      return billing.createGroup(req.body as typeof GroupCreate.static);
    });
    app.get('/api/v1/resource-groups', { schema: { tags, summary: 'Resource groups with capacity and what is reserved' } }, async () => ({
      items: await billing.groups(),
    }));
    app.get('/api/v1/resource-groups/:name', { schema: { tags, params: Type.Object({ name: Type.String() }) } }, async (req) =>
      billing.group((req.params as { name: string }).name),
    );
    app.delete('/api/v1/resource-groups/:name', { schema: { tags, params: Type.Object({ name: Type.String() }) } }, async (req, reply) => {
      await billing.deleteGroup((req.params as { name: string }).name);
      return reply.code(204).send();
    });
    app.get(
      '/api/v1/services/:name/usage',
      {
        schema: {
          tags,
          summary: 'Metered usage per day and its cost from the price table',
          params: Type.Object({ name: Type.String() }),
          querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })) }),
        },
      },
      async (req) => {
        const name = (req.params as { name: string }).name;
        await services.get(name);
        return billing.usage(name, (req.query as { days?: number }).days ?? 30);
      },
    );
  };
}
