/** /api/v1/tasks: training tasks over REST (DESIGN.md §3), plus task examples and datasets. */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Config } from '../../config.js';
import { DomainError } from '../../contracts/errors.js';
import { TASK_STATES } from '../../contracts/tasks.js';
import type { BlobStore } from '../../store/blobs/blob-store.js';
import { MNIST_PREFIX } from '../../tasks/datasets/mnist.js';
import type { TaskManager } from '../../tasks/task-manager.js';
import { TaskSpecSchema, type TaskSpecInput } from '../../tasks/task-spec.js';
import { check, parseJsonField } from '../validate.js';
import { endStreamsOnClose, followSse, resumeCursor } from '../sse.js';
import { forEachPart, registerUploads } from '../uploads.js';

const NameParams = Type.Object({ name: Type.String() });
const ListQuery = Type.Object({
  keyword: Type.Optional(Type.String({ maxLength: 200 })),
  state: Type.Optional(Type.Union(TASK_STATES.map((s) => Type.Literal(s)))),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});
const RunQuery = Type.Object({ run: Type.Optional(Type.Integer({ minimum: 1 })) });
const LogsQuery = Type.Object({
  run: Type.Optional(Type.Integer({ minimum: 1, description: 'default: the latest run' })),
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'lines after this cursor; without it, the last `limit` lines' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })),
  keyword: Type.Optional(Type.String({ maxLength: 200 })),
});
const ActionBody = Type.Object({ action: Type.Union([Type.Literal('stop'), Type.Literal('restart')]) }, { additionalProperties: false });

export function tasksPlugin(deps: { tasks: TaskManager; blobs: BlobStore; config: Config }): FastifyPluginAsync {
  const { tasks, blobs, config } = deps;
  return async (app) => {
    endStreamsOnClose(app);
    await registerUploads(app, config);
    const tags = ['tasks'];

    app.post(
      '/api/v1/tasks',
      {
        schema: {
          tags,
          summary:
            'Create a training task and start its first run (JSON for example/storage code; multipart with a "spec" field and the files, or one zip, for uploaded code)',
          body: TaskSpecSchema,
        },
        attachValidation: true,
      },
      async (req, reply) => {
        if (!req.isMultipart() && req.validationError) throw req.validationError;
        const task = req.isMultipart() ? await createFromUpload(tasks, req) : await tasks.create(req.body as TaskSpecInput);
        reply.code(202);
        return task;
      },
    );

    app.get('/api/v1/tasks', { schema: { tags, summary: "List training tasks (state = the latest run's)", querystring: ListQuery } }, async (req) =>
      tasks.list(req.query as typeof ListQuery.static),
    );

    app.get('/api/v1/tasks/:name', { schema: { tags, summary: 'Show a task with all its runs', params: NameParams } }, async (req) =>
      tasks.get((req.params as { name: string }).name),
    );

    app.delete(
      '/api/v1/tasks/:name',
      { schema: { tags, summary: 'Delete a task that is not running (its code, logs, and outputs in its default folder)', params: NameParams } },
      async (req, reply) => {
        await tasks.delete((req.params as { name: string }).name);
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/v1/tasks/:name/actions',
      { schema: { tags, summary: 'stop the latest run, or restart (a new run)', params: NameParams, body: ActionBody } },
      async (req, reply) => {
        const { name } = req.params as { name: string };
        const { action } = req.body as typeof ActionBody.static;
        reply.code(202);
        return action === 'stop' ? tasks.stop(name) : tasks.restart(name);
      },
    );

    app.get(
      '/api/v1/tasks/:name/logs',
      {
        schema: {
          tags,
          summary: 'Log lines of a run (poll with after=cursor to follow; done when the run ended and all lines were read)',
          params: NameParams,
          querystring: LogsQuery,
        },
      },
      async (req) => tasks.logs((req.params as { name: string }).name, req.query as typeof LogsQuery.static),
    );

    // the run's log as server-sent events (id = seq); a `done` event once the run ended and all was sent
    app.get(
      '/api/v1/tasks/:name/logs/stream',
      {
        schema: {
          tags,
          summary: "Follow a run's log as server-sent events (Last-Event-ID resumes)",
          params: NameParams,
          querystring: LogsQuery,
          produces: ['text/event-stream'],
        },
      },
      async (req, reply) => {
        const name = (req.params as { name: string }).name;
        const q = req.query as typeof LogsQuery.static;
        const first = await tasks.logs(name, { ...q, after: resumeCursor(req, q.after) });
        let pending: typeof first | undefined = first;
        const source = {
          page: async (after: number | undefined) => {
            const p = pending ?? (await tasks.logs(name, { run: first.run, keyword: q.keyword, after: after ?? 0, limit: 1000 }));
            pending = undefined;
            return p;
          },
          subscribe: () => () => undefined,
        };
        await followSse(req, reply, source, first.cursor, { pollMs: 500, pageLines: 1000 });
      },
    );

    app.get(
      '/api/v1/tasks/:name/outputs',
      {
        schema: {
          tags,
          summary: 'Files a run wrote to its output folder (download them through /api/v1/storage/{storagePath})',
          params: NameParams,
          querystring: RunQuery,
        },
      },
      async (req) => tasks.outputs((req.params as { name: string }).name, (req.query as typeof RunQuery.static).run),
    );

    app.get('/api/v1/task-examples', { schema: { tags, summary: 'Built-in example code for tasks' } }, async () => ({ items: tasks.examples() }));

    app.get('/api/v1/datasets', { schema: { tags, summary: 'Built-in datasets in the object store' } }, async () => {
      await tasks.ensureDatasets();
      const manifest = JSON.parse((await blobs.read(`${MNIST_PREFIX}/manifest.json`)).toString()) as Record<string, unknown>;
      return { items: [{ name: 'mnist', path: MNIST_PREFIX, ...manifest }] };
    });
  };
}

/** Streams a multipart create: the `spec` field first (checked before any file is taken), then the files or one zip. */
async function createFromUpload(tasks: TaskManager, req: FastifyRequest) {
  return tasks.createFromUpload(async (sink, precheck) => {
    let spec: TaskSpecInput | undefined;
    await forEachPart(req, async (part) => {
      if (part.type === 'field') {
        if (part.fieldname === 'spec') {
          const raw = typeof part.value === 'object' && part.value !== null ? part.value : parseJsonField(String(part.value), 'spec');
          spec = check(TaskSpecSchema, raw, 'spec');
          await precheck(spec);
        }
        return;
      }
      if (!spec) {
        part.file.resume();
        throw new DomainError('INVALID_ARGUMENT', 'send the "spec" field before the files', { fields: [{ field: 'spec', message: 'must come first' }] });
      }
      await sink.add(part.filename, part.file);
      if (part.file.truncated) throw new DomainError('UPLOAD_TOO_LARGE', `file "${part.filename}" is over the upload limit`);
    });
    if (!spec) throw new DomainError('INVALID_ARGUMENT', 'the multipart request needs a "spec" field', { fields: [{ field: 'spec', message: 'is required' }] });
    return spec;
  });
}
