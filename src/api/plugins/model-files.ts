/** /api/v1/models/{name}/versions/{v}/files and /archive. */
import type { FastifyInstance } from 'fastify';
import { Type, type TObject } from '@sinclair/typebox';
import { DomainError } from '../../contracts/errors.js';
import type { ModelRepository } from '../../models/model-repository.js';
import { rawBody, registerRawBodyRoutes } from '../raw-body.js';
import { forEachPart } from '../uploads.js';

type P = { name: string; version: string; '*': string };

export function registerFileRoutes(app: FastifyInstance, models: ModelRepository, s: { VersionParams: TObject; FileSchema: TObject }): void {
  const tags = ['model files'];
  const FileParams = Type.Object({ name: Type.String(), version: Type.String(), '*': Type.String({ description: 'the file path inside the version' }) });

  app.get(
    '/api/v1/models/:name/versions/:version/files',
    { schema: { tags, summary: 'List the files of a version', params: s.VersionParams, response: { 200: Type.Object({ items: Type.Array(s.FileSchema) }) } } },
    async (req) => {
      const p = req.params as P;
      return { items: await models.files.list(p.name, p.version) };
    },
  );

  app.post(
    '/api/v1/models/:name/versions/:version/files',
    {
      schema: {
        tags,
        summary: 'Add or replace files (multipart; optional fields "prefix" and "unzip")',
        params: s.VersionParams,
        consumes: ['multipart/form-data'],
        response: { 200: Type.Object({ items: Type.Array(s.FileSchema) }) },
      },
    },
    async (req) => {
      const p = req.params as P;
      if (!req.isMultipart()) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send the files as multipart/form-data');
      const fields: Record<string, string> = {};
      const items = await models.files.putMany(p.name, p.version, async (sink) => {
        await forEachPart(req, async (part) => {
          if (part.type === 'field') {
            fields[part.fieldname] = String(part.value);
            return;
          }
          await sink.add(part.filename, part.file);
          if (part.file.truncated) throw new DomainError('UPLOAD_TOO_LARGE', `file "${part.filename}" is over the upload limit`);
        });
        return { prefix: fields.prefix, unzip: fields.unzip === 'true' };
      });
      return { items };
    },
  );

  registerRawBodyRoutes(app, (scope) => {
    scope.put(
      '/api/v1/models/:name/versions/:version/files/*',
      {
        schema: {
          tags,
          summary: 'Add or replace one file (raw body, any Content-Type)',
          params: FileParams,
          consumes: ['application/octet-stream'],
          response: { 200: s.FileSchema },
        },
      },
      async (req) => {
        const p = req.params as P;
        return models.files.put(p.name, p.version, p['*'], rawBody(req));
      },
    );
  });

  app.get('/api/v1/models/:name/versions/:version/files/*', { schema: { tags, summary: 'Download one file', params: FileParams } }, async (req, reply) => {
    const p = req.params as P;
    const { file, body } = await models.files.read(p.name, p.version, p['*']);
    reply.header('content-type', 'application/octet-stream');
    reply.header('content-length', String(file.size));
    reply.header('x-sha256', file.sha256);
    reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.path.split('/').pop() ?? 'file')}`);
    return reply.send(body);
  });

  app.delete('/api/v1/models/:name/versions/:version/files/*', { schema: { tags, summary: 'Delete one file', params: FileParams } }, async (req, reply) => {
    const p = req.params as P;
    await models.files.delete(p.name, p.version, p['*']);
    return reply.code(204).send();
  });

  app.get(
    '/api/v1/models/:name/versions/:version/archive',
    { schema: { tags, summary: 'Download the whole version as a zip', params: s.VersionParams } },
    async (req, reply) => {
      const p = req.params as P;
      const { name, body } = await models.files.archive(p.name, p.version);
      reply.header('content-type', 'application/zip');
      reply.header('content-disposition', `attachment; filename="${name}"`);
      return reply.send(body);
    },
  );
}
