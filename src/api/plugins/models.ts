/** /api/v1/models: the model repository over REST (DESIGN.md §3). */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Config } from '../../config.js';
import { DomainError } from '../../contracts/errors.js';
import { MODEL_FORMATS, SOURCE_TYPES } from '../../contracts/resources.js';
import type { ModelRepository } from '../../models/model-repository.js';
import type { UploadSink } from '../../files/upload.js';
import { ModelCreateSchema, ModelPatchSchema, VersionSpecSchema, type VersionSpec } from '../../models/version-spec.js';
import { check, parseJsonField } from '../validate.js';
import { FileSchema, ModelSchema, VersionSchema, pageOf } from '../schemas.js';
import { registerFileRoutes } from './model-files.js';
import { forEachPart, registerUploads } from '../uploads.js';

const NameParams = Type.Object({ name: Type.String() });
const VersionParams = Type.Object({ name: Type.String(), version: Type.String({ description: 'v1, 1 or latest' }) });

const ListQuery = Type.Object({
  keyword: Type.Optional(Type.String({ maxLength: 200 })),
  tag: Type.Optional(Type.Array(Type.String({ pattern: '^[^=]+=.*$' }), { description: 'k=v, repeatable' })),
  format: Type.Optional(Type.Union(MODEL_FORMATS.map((f) => Type.Literal(f)))),
  source: Type.Optional(Type.Union(SOURCE_TYPES.map((f) => Type.Literal(f)))),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});

export function modelsPlugin(deps: { models: ModelRepository; config: Config }): FastifyPluginAsync {
  const { models, config } = deps;
  return async (app) => {
    await registerUploads(app, config);

    const tags = ['models'];

    app.post('/api/v1/models', { schema: { tags, summary: 'Create a model', body: ModelCreateSchema, response: { 201: ModelSchema } } }, async (req, reply) => {
      reply.code(201);
      return models.createModel(req.body as typeof ModelCreateSchema.static);
    });

    app.get('/api/v1/models', { schema: { tags, summary: 'List models', querystring: ListQuery, response: { 200: pageOf(ModelSchema) } } }, async (req) => {
      const q = req.query as typeof ListQuery.static;
      const tagFilter = Object.fromEntries((q.tag ?? []).map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
      return models.listModels({ keyword: q.keyword, tags: tagFilter, format: q.format, source: q.source, offset: q.offset, limit: q.limit });
    });

    app.get(
      '/api/v1/models/:name',
      {
        schema: {
          tags,
          summary: 'Show a model with its versions',
          params: NameParams,
          response: { 200: Type.Intersect([ModelSchema, Type.Object({ versions: Type.Array(VersionSchema) })]) },
        },
      },
      async (req) => models.getModel((req.params as { name: string }).name),
    );

    app.patch(
      '/api/v1/models/:name',
      { schema: { tags, summary: 'Change description or tags', params: NameParams, body: ModelPatchSchema, response: { 200: ModelSchema } } },
      async (req) => models.updateModel((req.params as { name: string }).name, req.body as typeof ModelPatchSchema.static),
    );

    app.delete(
      '/api/v1/models/:name',
      {
        schema: {
          tags,
          summary: 'Delete a model and (unless keepFiles) its stored files',
          params: NameParams,
          querystring: Type.Object({ keepFiles: Type.Optional(Type.Boolean()) }),
        },
      },
      async (req, reply) => {
        await models.deleteModel((req.params as { name: string }).name, { keepFiles: (req.query as { keepFiles?: boolean }).keepFiles });
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/v1/models/:name/versions',
      {
        schema: {
          tags,
          summary: 'Import a new version (JSON for storage/task sources; multipart with a "spec" field and the files, or one zip, for uploads)',
          params: NameParams,
          body: VersionSpecSchema,
          response: { 202: VersionSchema },
        },
        // multipart bodies are streamed and their "spec" field is checked by hand (importUpload)
        attachValidation: true,
      },
      async (req, reply) => {
        const { name } = req.params as { name: string };
        if (!req.isMultipart() && req.validationError) throw req.validationError;
        const version = req.isMultipart() ? await importUpload(models, name, req) : await models.createVersion(name, req.body as VersionSpec);
        reply.code(202);
        return version;
      },
    );

    app.get(
      '/api/v1/models/:name/versions',
      { schema: { tags, summary: 'List versions', params: NameParams, response: { 200: Type.Object({ items: Type.Array(VersionSchema) }) } } },
      async (req) => ({
        items: await models.listVersions((req.params as { name: string }).name),
      }),
    );

    app.get(
      '/api/v1/models/:name/versions/:version',
      { schema: { tags, summary: 'Show a version with its files', params: VersionParams, response: { 200: VersionSchema } } },
      async (req) => {
        const p = req.params as { name: string; version: string };
        return models.getVersion(p.name, p.version);
      },
    );

    app.delete(
      '/api/v1/models/:name/versions/:version',
      { schema: { tags, summary: 'Delete a version and its files', params: VersionParams } },
      async (req, reply) => {
        const p = req.params as { name: string; version: string };
        await models.deleteVersion(p.name, p.version);
        return reply.code(204).send();
      },
    );

    registerFileRoutes(app, models, { VersionParams, FileSchema });
  };
}

/** Streams a multipart import into staging: the `spec` field, then the files (or one zip). */
async function importUpload(models: ModelRepository, name: string, req: FastifyRequest) {
  let spec: VersionSpec | undefined;
  return models.createVersionFromUpload(name, async (sink: UploadSink, precheck) => {
    await forEachPart(req, async (part) => {
      if (part.type === 'field') {
        if (part.fieldname === 'spec') {
          // a part sent as application/json arrives already parsed
          const raw = typeof part.value === 'object' && part.value !== null ? part.value : parseJsonField(String(part.value), 'spec');
          spec = check(VersionSpecSchema, raw, 'spec');
          await precheck(spec);
        }
        return;
      }
      await sink.add(part.filename, part.file);
      if (part.file.truncated) throw new DomainError('UPLOAD_TOO_LARGE', `file "${part.filename}" is over the upload limit`);
    });
    if (!spec) throw new DomainError('INVALID_ARGUMENT', 'the multipart request needs a "spec" field', { fields: [{ field: 'spec', message: 'is required' }] });
    return spec;
  });
}
