/**
 * The data plane (DESIGN.md §3, §4) as a Fastify plugin: TI-ONE predict and Open Inference
 * Protocol v2 routes over GatewayCore (gateway-core.ts), which does the routing, auth,
 * balancing and forwarding. The hot POST routes are also served by the front door
 * (front-door.ts) on the same server, ahead of Fastify; the Fastify routes stay for the
 * GET routes, in-process `inject`, and whatever the front door leaves (odd paths).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createRequire } from 'node:module';
import { DomainError } from '../contracts/errors.js';
import { OIP_EXTENSIONS, type OipServerMetadata } from '../contracts/oip.js';
import { installFrontDoor } from './front-door.js';
import { callFrom, GatewayCore, outcomeHeaders, type Call, type GatewayDeps, type Op, type Outcome } from './gateway-core.js';

export type { AccessLogSink, GatewayDeps } from './gateway-core.js';

/** `GET /v2`: the server's name, version and the OIP extensions the REST data plane speaks. */
export const SERVER_METADATA: OipServerMetadata = {
  name: 'modeldock',
  version: (createRequire(import.meta.url)('../../package.json') as { version: string }).version,
  extensions: [...OIP_EXTENSIONS],
};

/** `shared`: a core also serving another transport (the gRPC gateway), so both share routes, pools and limits. */
export function gatewayPlugin(deps: GatewayDeps, shared?: GatewayCore): FastifyPluginAsync {
  const { log } = deps;

  return async (app) => {
    const core = shared ?? new GatewayCore(deps);
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onClose', async () => {
      await core.close();
    });
    installFrontDoor(app.server, core, deps.maxBodyBytes, () => closing);

    // Bytes in, bytes out: no JSON parsing on the hot path.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_req, body, done) => done(null, body));

    const callOf = (req: FastifyRequest, service: string, op: Op, seq?: number): Call => callFrom(req, { service, op, seq }, req.body as Buffer | undefined);
    const send = (reply: FastifyReply, o: Outcome): FastifyReply => reply.code(o.status).headers(outcomeHeaders(o)).send(o.body);
    const call = async (req: FastifyRequest, reply: FastifyReply, service: string, op: Op, seq?: number) =>
      send(reply, await core.call(callOf(req, service, op, seq)));
    const fail = (req: FastifyRequest, reply: FastifyReply, err: unknown) => {
      const service = (req.params as { service?: string } | undefined)?.service ?? '';
      // refused before the body was all read (413): the connection closes after the answer, as on the front door
      if (!req.raw.complete) reply.header('connection', 'close');
      return send(reply, core.fail(callOf(req, service, 'infer'), err));
    };

    app.setErrorHandler((err, req, reply) => fail(req, reply, err));

    // The gateway writes its own access line per call (GatewayCore.logCall); the API's generic
    // per-request info line is left out here (a second log write per call on the hot path).
    // (never below the platform's own level: a route level replaces it, so "silent" must stay silent)
    const quieter = (log.levels.values[log.level] ?? 30) > log.levels.values.warn! ? (log.level as 'warn') : ('warn' as const);
    const get = { logLevel: quieter };
    const post = { bodyLimit: deps.maxBodyBytes, logLevel: quieter };
    type P = { Params: { service: string; v?: string } };

    app.post<P>('/:service/v1/models/m::predict', post, (req, reply) => call(req, reply, req.params.service, 'predict'));
    app.post<P>('/v2/models/:service/infer', post, (req, reply) => call(req, reply, req.params.service, 'infer'));
    app.post<P>('/v2/models/:service/versions/:v/infer', post, (req, reply) => {
      const seq = Number(req.params.v);
      if (!Number.isInteger(seq) || seq < 1) return fail(req, reply, new DomainError('SERVICE_VERSION_NOT_FOUND', `"${req.params.v}" is not a version number`));
      return call(req, reply, req.params.service, 'infer', seq);
    });
    app.get<P>('/v2/models/:service', get, (req, reply) => call(req, reply, req.params.service, 'metadata'));
    app.get<P>('/v2/models/:service/ready', get, (req, reply) => send(reply, core.modelReady(callOf(req, req.params.service, 'metadata'))));
    // KServe v1 at the root (the front door serves the POST; this is its fallback), and its model status
    app.post<{ Params: { target: string } }>('/v1/models/:target', post, (req, reply) => {
      const m = /^(.+):predict$/.exec(req.params.target);
      if (!m) return fail(req, reply, new DomainError('ROUTE_NOT_FOUND', `no route POST ${req.url}: KServe v1 is POST /v1/models/{service}:predict`));
      return call(req, reply, m[1]!, 'predict');
    });
    app.get<P>('/v1/models/:service', get, (req, reply) => send(reply, core.modelReady(callOf(req, req.params.service, 'metadata'))));
    // OIP v2: one version's metadata and readiness
    const versionOf = (req: FastifyRequest<P>, reply: FastifyReply, then: (seq: number) => unknown) => {
      const seq = Number(req.params.v);
      if (!Number.isInteger(seq) || seq < 1) return fail(req, reply, new DomainError('SERVICE_VERSION_NOT_FOUND', `"${req.params.v}" is not a version number`));
      return then(seq);
    };
    app.get<P>('/v2/models/:service/versions/:v', get, (req, reply) => versionOf(req, reply, (seq) => call(req, reply, req.params.service, 'metadata', seq)));
    app.get<P>('/v2/models/:service/versions/:v/ready', get, (req, reply) =>
      versionOf(req, reply, (seq) => send(reply, core.modelReady(callOf(req, req.params.service, 'metadata', seq)))),
    );
    app.get('/v2', get, async () => SERVER_METADATA);
    app.get('/v2/health/live', get, async () => ({ live: true }));
    app.get('/v2/health/ready', get, async () => ({ ready: true }));
  };
}
