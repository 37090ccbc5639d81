/** /api/v1/batch-jobs: batch prediction jobs over REST (create, list, get with progress, stop, delete). */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { BATCH_STATES } from '../../contracts/batch.js';
import type { BatchManager } from '../../batch/batch-manager.js';
import { BatchJobSpecSchema, type BatchJobSpecInput } from '../../batch/batch-spec.js';

const NameParams = Type.Object({ name: Type.String() });
const ListQuery = Type.Object({
  keyword: Type.Optional(Type.String({ maxLength: 200 })),
  state: Type.Optional(Type.Union(BATCH_STATES.map((s) => Type.Literal(s)))),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});
const ActionBody = Type.Object({ action: Type.Literal('stop') }, { additionalProperties: false });

export function batchJobsPlugin(deps: { batch: BatchManager }): FastifyPluginAsync {
  const { batch } = deps;
  return async (app) => {
    const tags = ['batch-jobs'];
    const J = '/api/v1/batch-jobs/:name';

    app.post(
      '/api/v1/batch-jobs',
      {
        schema: {
          tags,
          summary: 'Create a batch prediction job: a model version over a folder of images, a JSONL or a CSV file in the object store',
          body: BatchJobSpecSchema,
        },
      },
      async (req, reply) => {
        reply.code(202);
        return batch.create(req.body as BatchJobSpecInput);
      },
    );

    app.get('/api/v1/batch-jobs', { schema: { tags, summary: 'List batch jobs, newest first', querystring: ListQuery } }, async (req) =>
      batch.list(req.query as typeof ListQuery.static),
    );

    app.get(J, { schema: { tags, summary: 'Show a batch job with its progress (done / total, rate, ETA)', params: NameParams } }, async (req) =>
      batch.get((req.params as { name: string }).name),
    );

    app.post(
      `${J}/actions`,
      { schema: { tags, summary: 'stop: what is done is kept (the results written so far), the job ends Stopped', params: NameParams, body: ActionBody } },
      async (req, reply) => {
        reply.code(202);
        return batch.stop((req.params as { name: string }).name);
      },
    );

    app.delete(J, { schema: { tags, summary: 'Delete an ended batch job (its results stay in the object store)', params: NameParams } }, async (req, reply) => {
      await batch.delete((req.params as { name: string }).name);
      return reply.code(204).send();
    });
  };
}
