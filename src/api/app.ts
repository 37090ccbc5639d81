/**
 * The HTTP front of the platform: one Fastify instance with the control-plane API
 * under /api (each area a plugin), the OpenAPI document, health, and the error edge.
 * The gateway (data plane) and console register themselves as further plugins.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import { Ajv } from 'ajv';
import { DomainError } from '../contracts/errors.js';
import { checkJsonDepth } from '../http/json-depth.js';
import { clientErrorHandler, guardServerEdges } from '../http/http-edge.js';
import type { Logger } from '../log.js';
import { sendError } from './error-edge.js';
import { RouteTable } from './route-table.js';
import { installDocument, swaggerOptions } from './openapi/document.js';

export interface AppOptions {
  logger: Logger;
  bodyLimitBytes: number;
  adminToken: string;
  version: string;
  /** slow-client limits (slowloris): defaults from HTTP_TIMEOUT_DEFAULTS */
  timeouts?: HttpTimeouts;
}

/**
 * How long a connection may take over its request. Node's http server checks these on
 * every `connectionsCheckingInterval`; Fastify's own default turns requestTimeout off,
 * which lets a client trickling a body hold its connection for ever.
 */
export interface HttpTimeouts {
  /** all headers of a request received within this (408 and close otherwise) */
  headersTimeoutMs: number;
  /** the whole request (headers and body) received within this: bounds uploads too */
  requestTimeoutMs: number;
  /** a socket with no bytes either way for this long is closed */
  idleTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: number;
}

export const HTTP_TIMEOUT_DEFAULTS: HttpTimeouts = { headersTimeoutMs: 30_000, requestTimeoutMs: 900_000, idleTimeoutMs: 120_000, keepAliveTimeoutMs: 72_000 };

export interface ApiPlugin {
  plugin: FastifyPluginAsync;
  prefix?: string;
}

export async function buildApp(opts: AppOptions, plugins: ApiPlugin[]): Promise<FastifyInstance> {
  const t = opts.timeouts ?? HTTP_TIMEOUT_DEFAULTS;
  const app = Fastify({
    requestTimeout: t.requestTimeoutMs,
    connectionTimeout: t.idleTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    // requireHostHeader: Node's own answer is an empty 400; guardServerEdges answers it in JSON
    http: {
      headersTimeout: t.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(t.headersTimeoutMs / 4))),
      requireHostHeader: false,
    },
    // parser errors (431, 400 smuggling, 408) and Fastify's own early answers, in the documented shape
    clientErrorHandler: clientErrorHandler(opts.logger),
    frameworkErrors: (err, req, reply) => sendError(req, reply, err),
    loggerInstance: opts.logger as FastifyBaseLogger,
    // one line per request is written by the onResponse hook below (and by the gateway for calls)
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: makeIdGenerator(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    // Fastify's own 503 is not in the documented shape: the onRequest hook below answers it
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });

  // Bodies are taken as sent (a number is not a string); query strings and path
  // parameters are text by nature and are coerced to the schema's types.
  const strict = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: false, removeAdditional: false, strict: false });
  const lenient = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: 'array', removeAdditional: false, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : lenient).compile(schema));

  guardJsonDepth(app);
  refuseWhileClosing(app);

  const routes = new RouteTable();
  routes.attach(app);

  app.addHook('onResponse', async (req, reply) => {
    req.log.info({ reqId: req.id, method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
  });

  if (opts.adminToken) app.addHook('onRequest', adminGuard(opts.adminToken));

  // the document: component schemas, security schemes, one operation per route (src/api/openapi/)
  installDocument(app);
  await app.register(swagger, swaggerOptions(opts.version));

  app.setErrorHandler((err, req, reply) => sendError(req, reply, err));
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? req.url;
    const allowed = routes.allowed(path);
    if (allowed.length) {
      reply.header('allow', allowed.join(', '));
      return sendError(req, reply, new DomainError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; use ${allowed.join(', ')}`));
    }
    return sendError(req, reply, new DomainError('ROUTE_NOT_FOUND', `no route for ${req.method} ${path}`));
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  for (const p of plugins) await app.register(p.plugin, { prefix: p.prefix ?? '' });
  guardServerEdges(app.server);
  return app;
}

/**
 * Whether a request is for the control plane: by the route it matched (the router decodes
 * the path, so `/%61pi/v1/models` is routed to `/api/v1/models`), by its raw path, or by its
 * decoded path (an unknown /api route is refused as unauthenticated, not as not found).
 */
function underApi(req: FastifyRequest): boolean {
  const path = req.url.split('?')[0] ?? '';
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    /* not decodable: the router refuses it too */
  }
  return [req.routeOptions?.url ?? '', path, decoded].some((p) => p === '/api' || p.startsWith('/api/'));
}

/** The default JSON parser (no __proto__ / constructor tricks), refusing bodies nested past MAX_JSON_DEPTH (INVALID_JSON). */
function guardJsonDepth(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    parse(req, body as string, (err, value) => {
      if (err) return done(err as Error);
      try {
        done(null, checkJsonDepth(value));
      } catch (e) {
        done(e as Error);
      }
    });
  });
}

/** While the server closes, every request is answered 503 UNAVAILABLE and its connection closed. */
function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_req, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    throw new DomainError('UNAVAILABLE', 'the platform is shutting down; retry');
  });
}

function makeIdGenerator(): () => string {
  const prefix = Date.now().toString(36);
  let n = 0;
  return () => `${prefix}-${(++n).toString(36)}`;
}

function adminGuard(token: string) {
  const want = createHash('sha256').update(token).digest();
  return async (req: FastifyRequest) => {
    if (!underApi(req)) return;
    const h = req.headers.authorization;
    const given = typeof h === 'string' ? h.replace(/^Bearer\s+/i, '') : '';
    const got = createHash('sha256').update(given).digest();
    if (!given || !timingSafeEqual(want, got)) {
      throw new DomainError('UNAUTHENTICATED', 'this platform requires the admin token: Authorization: Bearer <MODELDOCK_ADMIN_TOKEN>');
    }
  };
}
