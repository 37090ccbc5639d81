/**
 * The one place the OpenAPI document (/api/openapi.json) is put together: the shared
 * component schemas (COMPONENTS, registered with addSchema so routes refer to them as
 * `<name>#`), the security schemes, and a swagger transform that gives each route its
 * operationId, tags, security, success answer and error answers from OPERATIONS.
 */
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import type { SwaggerOptions } from '@fastify/swagger';
import { OIP_HEADER_LENGTH } from '../../contracts/oip.js';
import { VERSION_HEADER } from '../../contracts/service-ops.js';
import { COMPONENTS } from './schemas.js';
import { DATA_PLANE, OPERATIONS, type Operation } from './operations.js';

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input (INVALID_ARGUMENT, INVALID_JSON, INVALID_NAME, …)',
  401: 'Missing or wrong token (UNAUTHENTICATED)',
  404: 'Not found (MODEL_NOT_FOUND, VERSION_NOT_FOUND, SERVICE_NOT_FOUND, TASK_NOT_FOUND, OBJECT_NOT_FOUND, …)',
  409: 'Conflicts with the current state (MODEL_EXISTS, SERVICE_EXISTS, MODEL_IN_USE, NO_CAPACITY, TASK_RUNNING, PATH_CONFLICT, …)',
  413: 'Body too large (UPLOAD_TOO_LARGE)',
  415: 'Unsupported Content-Type (UNSUPPORTED_MEDIA_TYPE)',
  429: "Over a token's rate limit (RATE_LIMITED); see Retry-After",
  500: 'The model failed the call (MODEL_ERROR), or an internal error (INTERNAL)',
  503: 'No instance can take the call now (MODEL_NOT_READY, QUEUE_FULL, UNAVAILABLE); see Retry-After',
  504: 'The instance did not answer in time (TIMEOUT, DEADLINE_EXCEEDED)',
  507: 'The store is full (STORAGE_FULL)',
};

export const SECURITY_SCHEMES = {
  adminToken: { type: 'http', scheme: 'bearer', description: 'MODELDOCK_ADMIN_TOKEN, on /api when the platform sets one' },
  serviceToken: {
    type: 'http',
    scheme: 'bearer',
    description: "a service's call token (POST /api/v1/services/{name}/tokens), on services with auth; the bare token is taken too",
  },
} as const;

/** The operation a route is documented as (undefined: hidden or not an API route). */
export function operationOf(method: string, url: string): (Operation & { dataPlane: boolean }) | undefined {
  const key = `${method.toUpperCase()} ${url}`;
  const api = OPERATIONS[key];
  if (api) return { ...api, dataPlane: false };
  const data = DATA_PLANE[key];
  return data ? { ...data, dataPlane: true } : undefined;
}

export interface RegisteredRoute {
  method: string;
  url: string;
  hidden: boolean;
  /** the statuses the route's own response schema declares (it serializes with them) */
  declared: string[];
}

const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route registered on the app after installDocument (its onRoute hook), hidden ones marked. */
export const registeredRoutes = (app: FastifyInstance): readonly RegisteredRoute[] => registered.get(app) ?? [];

/** Registers the component schemas on the root instance, before the routes, and records the routes. */
export function installDocument(app: FastifyInstance): void {
  for (const [name, schema] of Object.entries(COMPONENTS)) app.addSchema({ ...schema, $id: name });
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (r) => {
    const schema = r.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined;
    const declared = Object.keys(schema?.response ?? {});
    for (const method of Array.isArray(r.method) ? r.method : [r.method])
      if (method !== 'HEAD') routes.push({ method, url: r.url, hidden: Boolean(schema?.hide), declared });
  });
}

export function swaggerOptions(version: string): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'modeldock',
        version,
        description:
          'Control plane: REST + JSON under /api/v1 (admin token). Data plane: TI-ONE predict, KServe v1 and Open Inference Protocol v2 REST (service tokens). ' +
          'Errors: {"error":{"code","message"}} (on /v2: {"error":"message","code"}); the codes are in docs/errors.md.',
      },
      components: { securitySchemes: SECURITY_SCHEMES as never },
      tags: [
        { name: 'inference', description: 'TI-ONE predict and KServe v1 (the data plane)' },
        { name: 'inference (OIP v2)', description: 'Open Inference Protocol v2 REST (the data plane)' },
      ],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: ({ schema, url, route }) => ({ schema: documented(schema as Record<string, unknown> | undefined, url, route) as FastifySchema, url }),
  };
}

function documented(schema: Record<string, unknown> | undefined, url: string, route: RouteOptions): Record<string, unknown> | undefined {
  const method = Array.isArray(route.method) ? route.method[0]! : route.method;
  const o = operationOf(method, url);
  if (!o || schema?.hide) return schema;
  const oip = url === '/v2' || url.startsWith('/v2/');
  const params = [...url.matchAll(/(?<=\/|^):([A-Za-z_]+)/g)].map((m) => m[1]!);
  // readiness and the server's own routes answer without a token (gateway-plugin.ts)
  const auth = !o.dataPlane || !/Ready$|^oipServer/.test(o.id);
  const errors = [
    ...new Set([
      ...(!o.dataPlane || method === 'POST' ? [400] : []),
      ...(auth ? [401] : []),
      ...(params.length || url.includes('*') ? [404] : []),
      ...(o.errors ?? []),
    ]),
  ].sort((a, b) => a - b);
  const response: Record<string, unknown> = { [o.ok]: success(o) };
  for (const status of errors) {
    const retry = status === 429 || status === 503 ? { headers: { 'retry-after': { type: 'integer', description: 'seconds to wait before retrying' } } } : {};
    response[status] = { $ref: oip ? 'OipError#' : 'Error#', description: ERROR_TEXT[status] ?? 'Error', ...retry };
  }
  // a byte stream's type is on its success answer; the errors stay JSON
  const { produces: _produces, ...rest } = schema ?? {};
  return {
    ...rest,
    ...(o.dataPlane ? dataPlaneRequest(o, params) : {}),
    operationId: o.id,
    tags: (schema?.tags as string[] | undefined) ?? [oip ? 'inference (OIP v2)' : 'inference'],
    security: o.dataPlane ? (auth ? [{ serviceToken: [] }, {}] : []) : [{ adminToken: [] }],
    response,
  };
}

function success(o: Operation): Record<string, unknown> {
  const description = o.ok === 202 ? 'Accepted: the work goes on in the background' : o.ok === 201 ? 'Created' : 'OK';
  if (o.binary) return { description, content: { [o.binary]: { schema: { type: 'string', format: 'binary' } } } };
  if (!o.body) return { type: 'null', description: 'No content' };
  return { $ref: `${o.body}#`, description };
}

function dataPlaneRequest(o: Operation, params: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    params: { type: 'object', properties: Object.fromEntries(params.map((p) => [p, { type: 'string' }])), required: params },
  };
  if (o.id === 'kservePredict') out.summary = 'KServe v1 predict: POST /v1/models/{service}:predict ({target} is "<service>:predict")';
  if (o.id === 'predict') out.summary = 'TI-ONE predict: the JSON body goes to the model as given';
  if (o.id === 'predict' || o.id === 'kservePredict') out.body = { $ref: 'Predict#' };
  if (o.id.startsWith('oipInfer')) {
    out.summary = 'Open Inference Protocol v2 infer (JSON, or the binary tensor extension with Inference-Header-Content-Length)';
    out.body = { $ref: 'OipInferRequest#' };
  }
  if (o.body === 'Predict' || o.id.startsWith('oipInfer')) out.headers = callHeaders(o.id.startsWith('oipInfer'));
  return out;
}

/** The headers a data-plane call may carry besides its token. */
function callHeaders(oip: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    [VERSION_HEADER]: { type: 'string', description: 'the service version to serve the call (2 or v2), bypassing the traffic weights' },
  };
  if (oip) properties[OIP_HEADER_LENGTH] = { type: 'integer', description: 'binary tensor extension: the length of the JSON header before the binary data' };
  return { type: 'object', properties };
}
