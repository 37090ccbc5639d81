/** GET /api/v1/services/{name}/manifests: the service as Kubernetes manifests (docs/kubernetes.md). */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Config } from '../../config.js';
import type { ModelRepository } from '../../models/model-repository.js';
import type { ServiceManager } from '../../services/service-manager.js';
import { renderManifests, serviceManifests, type ManifestFormat } from '../../services/service-manifests.js';

export function manifestsPlugin(deps: { services: ServiceManager; models: ModelRepository; config: Config }): FastifyPluginAsync {
  const { services, models, config } = deps;
  return async (app) => {
    app.get(
      '/api/v1/services/:name/manifests',
      {
        schema: {
          tags: ['services'],
          summary: 'The service as Kubernetes manifests (Deployment, Service, HPA or KEDA ScaledObject per version), for review or GitOps',
          params: Type.Object({ name: Type.String() }),
          querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('yaml'), Type.Literal('json')], { default: 'yaml' })) }),
        },
      },
      async (req, reply) => {
        const svc = await services.get((req.params as { name: string }).name);
        const format = ((req.query as { format?: ManifestFormat }).format ?? 'yaml') as ManifestFormat;
        const ms = await serviceManifests(svc, async (m, v) => (await models.getVersion(m, v)).storagePath, config.kubernetes);
        reply.header('content-type', format === 'json' ? 'application/json; charset=utf-8' : 'application/yaml; charset=utf-8');
        return reply.send(await renderManifests(svc, ms, format));
      },
    );
  };
}
