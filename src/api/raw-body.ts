/**
 * Raw-body routes: a file or object PUT takes its body as bytes whatever the Content-Type,
 * as S3 does (curl's `--data-binary` sends application/x-www-form-urlencoded, `-T` none).
 * The routes live in their own encapsulated scope, so the JSON and multipart parsers of
 * every other route are untouched; the body is streamed, never buffered.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** A `type/subtype` media type, optionally with parameters (RFC 9110 tokens, as Fastify checks them). */
const MEDIA_TYPE = /^\s*[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+\s*(;|$)/;

/** Registers `routes` in a scope where every Content-Type (or none) is a raw byte stream. */
export function registerRawBodyRoutes(app: FastifyInstance, routes: (scope: FastifyInstance) => void): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Fastify answers 415 to a header that is no type/subtype before any parser runs: such a body is taken as one without a type.
    scope.addHook('onRequest', async (req) => {
      const type = req.raw.headers['content-type'];
      if (type !== undefined && !MEDIA_TYPE.test(type)) delete req.raw.headers['content-type'];
    });
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    routes(scope);
  });
}

/** The body of a raw-body route; a request without one (no length, no framing) is an empty object. */
export function rawBody(req: FastifyRequest): Readable {
  const body = req.body as Readable | undefined;
  return body && typeof body.pipe === 'function' ? body : Readable.from([]);
}
