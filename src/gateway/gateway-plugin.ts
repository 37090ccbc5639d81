/**
 * The data plane (DESIGN.md §3, §4): TI-ONE predict and Open Inference Protocol v2 calls,
 * routed auth → version by weight → least-loaded ready instance, over keep-alive pools.
 *
 * The hot path does no database work and parses no JSON: the body's bytes go to the
 * instance as sent, the answer's bytes come back as received. Everything that can be
 * worked out once per route change is (route-cache.ts).
 */
import { performance } from 'node:perf_hooks';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../contracts/errors.js';
import { sendError, toDomainError } from '../api/error-edge.js';
import type { Logger } from '../log.js';
import { authorize } from './auth.js';
import { pickTarget, pickVersion } from './balancer.js';
import type { ServiceDirectory } from './directory.js';
import { ConnectFailure, exchange, type Answer } from './forward.js';
import { RouteCache, type CompiledService, type CompiledVersion } from './route-cache.js';
import { Upstreams, type Upstream } from './upstreams.js';

/** One line per call, for per-service log storage. Never holds headers or bodies. */
export type AccessLogSink = (line: {
  ts: string;
  service: string;
  versionId?: string;
  instanceId?: string;
  method: string;
  path: string;
  status: number;
  ms: number;
}) => void;

export interface GatewayDeps {
  directory: ServiceDirectory;
  log: Logger;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  /** how long a call to a scaled-to-zero version is held while an instance starts */
  wakeTimeoutMs: number;
  accessLog?: AccessLogSink;
  /** how long an instance that refused a connection is avoided (default 1000) */
  downForMs?: number;
}

type Op = 'predict' | 'infer' | 'metadata';

/** Seconds a client should wait when nothing can serve it. */
const RETRY_AFTER_UNAVAILABLE = '1';
const RETRY_AFTER_STOPPED = '30';

export function gatewayPlugin(deps: GatewayDeps): FastifyPluginAsync {
  const { directory, log, wakeTimeoutMs, accessLog } = deps;
  const downForMs = deps.downForMs ?? 1000;

  return async (app) => {
    const upstreams = new Upstreams(deps.requestTimeoutMs);
    const routes = new RouteCache(directory, upstreams);
    app.addHook('onClose', async () => {
      routes.close();
      await upstreams.close();
    });

    // Bytes in, bytes out: no JSON parsing on the hot path.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_req, body, done) => done(null, body));

    const logCall = (req: FastifyRequest, service: string, v: CompiledVersion | undefined, up: Upstream | undefined, status: number, t0: number) => {
      const ms = Math.round((performance.now() - t0) * 1000) / 1000;
      const path = pathOf(req.url);
      log.info({ service, version: v?.id, instance: up?.instanceId, method: req.method, path, status, ms }, 'call');
      if (accessLog) {
        try {
          accessLog({ ts: new Date().toISOString(), service, versionId: v?.id, instanceId: up?.instanceId, method: req.method, path, status, ms });
        } catch (e) {
          log.warn({ err: e }, 'access log sink failed');
        }
      }
      if (v) directory.observe(service, v.id, { latencyMs: ms, status });
    };

    const fail = (req: FastifyRequest, reply: FastifyReply, err: unknown, service: string, v: CompiledVersion | undefined, up: Upstream | undefined, t0: number) => {
      const de = toDomainError(err);
      const wait = (de.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (wait !== undefined) reply.header('retry-after', String(wait));
      else if (de.kind === 'unavailable' && !reply.hasHeader('retry-after')) reply.header('retry-after', RETRY_AFTER_UNAVAILABLE);
      else if (de.kind === 'limited') reply.header('retry-after', '1');
      sendError(req, reply, de);
      logCall(req, service, v, up, reply.statusCode, t0);
      return reply;
    };

    /** Picks a version (by weight, or the one asked for) and holds for a wake-up when it has no instance. */
    const chooseVersion = async (c: CompiledService, seq: number | undefined): Promise<CompiledVersion> => {
      let v: CompiledVersion | undefined;
      if (seq === undefined) {
        v = pickVersion(c.eligible);
        if (!v) throw noInstance(c.name);
      } else {
        v = c.versions.find((x) => x.seq === seq);
        if (!v) throw new DomainError('SERVICE_VERSION_NOT_FOUND', `service "${c.name}" has no version ${seq}`);
      }
      if (v.targets.length > 0) return v;
      if (!v.scalesFromZero) throw noInstance(c.name);
      const id = v.id;
      const woke = await directory.wake(c.name, id, wakeTimeoutMs);
      const now = routes.get(c.name);
      const again = woke ? now?.versions.find((x) => x.id === id) : undefined;
      if (again && again.targets.length > 0) return again;
      // By weight, but not for a named version: rather another version's answer than none.
      const other = seq === undefined ? now?.eligible.find((x) => x.targets.length > 0) : undefined;
      if (other) return other;
      throw new DomainError('UNAVAILABLE', `service "${c.name}" did not get a ready instance within ${wakeTimeoutMs} ms; retry`);
    };

    /** A second target for a retry: another instance of the version, else of another version, else the same one. */
    const retryTarget = (c: CompiledService, v: CompiledVersion, failed: Upstream): [CompiledVersion, Upstream] => {
      const other = pickTarget(v, performance.now(), failed);
      if (other) return [v, other];
      for (const w of c.eligible) {
        if (w === v) continue;
        const t = pickTarget(w, performance.now());
        if (t) return [w, t];
      }
      return [v, failed];
    };

    const call = async (req: FastifyRequest, reply: FastifyReply, service: string, op: Op, seq?: number): Promise<FastifyReply> => {
      const t0 = performance.now();
      let v: CompiledVersion | undefined;
      let up: Upstream | undefined;
      try {
        let c = routes.get(service);
        if (c === undefined) throw new DomainError('SERVICE_NOT_FOUND', `service "${service}" does not exist`);
        if (c.route.stopped) {
          reply.header('retry-after', RETRY_AFTER_STOPPED);
          throw new DomainError('UNAVAILABLE', `service "${service}" is stopped`);
        }
        if (c.route.auth) {
          await authorize(directory, service, req.headers.authorization);
          c = routes.get(service) ?? c;
        }
        v = await chooseVersion(c, seq);
        if (v.bucket !== undefined && !v.bucket.take()) throw limited(service, 'requests per second');
        up = pickTarget(v, performance.now())!;
        if (v.maxConcurrency > 0 && up.inflight >= v.maxConcurrency) throw limited(service, 'concurrent requests');

        const path = op === 'predict' ? c.paths.predict : op === 'infer' ? c.paths.infer : c.paths.metadata;
        const method = op === 'metadata' ? 'GET' : 'POST';
        const body = method === 'POST' ? ((req.body as Buffer | undefined) ?? Buffer.alloc(0)) : undefined;
        const contentType = method === 'POST' ? (req.headers['content-type'] ?? 'application/json') : undefined;
        let ans: Answer;
        try {
          ans = await exchange(up, method, path, contentType, body);
        } catch (e) {
          if (!(e instanceof ConnectFailure)) throw e;
          up.downUntil = performance.now() + downForMs;
          [v, up] = retryTarget(c, v, up);
          ans = await exchange(up, method, path, contentType, body).catch((e2: unknown) => {
            throw e2 instanceof ConnectFailure ? new DomainError('UNAVAILABLE', `no instance of service "${service}" could be reached; retry`) : e2;
          });
        }
        reply.code(ans.status);
        if (ans.contentType !== undefined) reply.header('content-type', ans.contentType);
        reply.send(ans.body);
        logCall(req, service, v, up, ans.status, t0);
        return reply;
      } catch (e) {
        return fail(req, reply, e, service, v, up, t0);
      }
    };

    app.setErrorHandler((err, req, reply) => {
      const service = (req.params as { service?: string } | undefined)?.service ?? '';
      return fail(req, reply, err, service, undefined, undefined, performance.now());
    });

    // The gateway writes its own access line per call (logCall); the API's generic
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
      if (!Number.isInteger(seq) || seq < 1) return fail(req, reply, new DomainError('SERVICE_VERSION_NOT_FOUND', `"${req.params.v}" is not a version number`), req.params.service, undefined, undefined, performance.now());
      return call(req, reply, req.params.service, 'infer', seq);
    });
    app.get<P>('/v2/models/:service', get, (req, reply) => call(req, reply, req.params.service, 'metadata'));
    app.get<P>('/v2/models/:service/ready', get, (req, reply) => modelReady(req, reply, req.params.service));
    app.get('/v2/health/live', get, async () => ({ live: true }));
    app.get('/v2/health/ready', get, async () => ({ ready: true }));

    /** OIP model readiness, from the directory: ready when a version with traffic has a ready instance. */
    const modelReady = (req: FastifyRequest, reply: FastifyReply, service: string): FastifyReply => {
      const t0 = performance.now();
      const c = routes.get(service);
      if (c === undefined) return fail(req, reply, new DomainError('SERVICE_NOT_FOUND', `service "${service}" does not exist`), service, undefined, undefined, t0);
      const ready = !c.route.stopped && c.eligible.some((v) => v.targets.length > 0);
      if (!ready) return fail(req, reply, noInstance(service), service, undefined, undefined, t0);
      return reply.send({ name: service, ready: true });
    };
  };
}

const noInstance = (service: string) => new DomainError('UNAVAILABLE', `service "${service}" has no ready instance; retry`);

const limited = (service: string, what: string) => new DomainError('RATE_LIMITED', `service "${service}" is at its per-instance limit of ${what}; retry`, { retryAfterSeconds: 1 });

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
