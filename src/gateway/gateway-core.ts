/**
 * The data plane's one function, free of any HTTP framework: a call (service, operation,
 * body bytes, auth header) in, an answer (status, type, bytes, retry-after) out. Routed
 * auth → version by weight → least-loaded ready instance, over keep-alive pools.
 *
 * The Fastify routes (gateway-plugin.ts) and the raw node:http front door (front-door.ts)
 * both call it, so the two transports cannot drift apart. The hot path does no database
 * work and parses no JSON: the body's bytes go to the instance as sent, the answer's
 * bytes come back as received; whatever can be worked out once per route change is
 * (route-cache.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { DomainError } from '../contracts/errors.js';
import { ERROR_CODE_HEADER, OIP_HEADER_LENGTH } from '../contracts/oip.js';
import { VERSION_HEADER, versionSeqOf } from '../contracts/service-ops.js';
import { errorAnswer, errorJson } from '../http/error-answer.js';
import type { Logger } from '../log.js';
import { authorize } from './auth.js';
import { captureCall, type CaptureSink } from './capture-hook.js';
import { pickTarget, pickVersion } from './balancer.js';
import type { CallSample, ServiceDirectory } from './service-directory.js';
import { ConnectFailure, exchange, type Answer } from './forward.js';
import { RouteCache, type CompiledService, type CompiledVersion } from './route-cache.js';
import { ShadowMirror } from './shadow.js';
import { Upstreams, type Upstream } from './upstreams.js';
import type { Tracer } from '@opentelemetry/api';
import { closeSpan, openSpan, traceparentFor, type OpenSpan } from '../tracing/call-span.js';

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
  /** payload capture (capture-hook.ts): takes the calls of versions that capture */
  capture?: CaptureSink;
  /** shadow copies in flight per service before new ones are dropped (shadow.ts) */
  shadowMaxInflight?: number;
  /** OpenTelemetry traces (docs/observability.md); undefined: off, and the call path makes no span */
  tracer?: Tracer;
}

export type Op = 'predict' | 'infer' | 'metadata';

export interface Call {
  service: string;
  op: Op;
  /** a version number asked for (…/versions/{n}/infer) */
  seq?: number;
  /** as the client sent it, for the logs (path only is logged) */
  method: string;
  url: string;
  body?: Buffer;
  contentType?: string;
  /** Inference-Header-Content-Length (OIP v2 binary tensors), forwarded as sent */
  headerLength?: string | string[];
  authorization?: string | string[];
  /** the x-modeldock-version header: the version to serve the call, bypassing weights */
  version?: string | string[];
  /** performance.now() when the call arrived */
  t0: number;
  /** the caller's W3C traceparent: passed on to the instance (with tracing on, naming the gateway's span) */
  traceparent?: string | string[];
  /** the gateway hop's span, while tracing is on */
  span?: OpenSpan;
}

export interface Outcome {
  status: number;
  contentType: string | undefined;
  body: Buffer | string;
  retryAfter?: string;
  /** the instance's Inference-Header-Content-Length, for a binary-tensor answer */
  headerLength?: string;
  /** the stable error code of an error answer (x-modeldock-error-code) */
  errorCode?: string;
}

/**
 * A call from a request (node's IncomingMessage or Fastify's request): the one place that
 * decides which request headers the gateway reads and forwards, for both transports.
 */
export function callFrom(
  req: { method?: string; url?: string; headers: IncomingHttpHeaders },
  route: Pick<Call, 'service' | 'op' | 'seq'>,
  body?: Buffer,
): Call {
  return {
    ...route,
    method: req.method ?? 'POST',
    url: req.url ?? '',
    body,
    contentType: req.headers['content-type'],
    headerLength: req.headers[OIP_HEADER_LENGTH],
    authorization: req.headers.authorization,
    traceparent: req.headers.traceparent,
    version: req.headers[VERSION_HEADER],
    t0: performance.now(),
  };
}

/** An outcome's response headers (content type, Retry-After, the binary-tensor header), added to `into`. */
export function outcomeHeaders(o: Outcome, into: Record<string, string | number> = {}): Record<string, string | number> {
  if (o.contentType !== undefined) into['content-type'] = o.contentType;
  if (o.retryAfter !== undefined) into['retry-after'] = o.retryAfter;
  if (o.headerLength !== undefined) into[OIP_HEADER_LENGTH] = o.headerLength;
  if (o.errorCode !== undefined) into[ERROR_CODE_HEADER] = o.errorCode;
  return into;
}

const RETRY_AFTER_STOPPED = '30';
const JSON_TYPE = 'application/json; charset=utf-8';
const EMPTY = Buffer.alloc(0);

export class GatewayCore {
  readonly upstreams: Upstreams;
  readonly routes: RouteCache;
  readonly shadow: ShadowMirror;
  private readonly downForMs: number;
  private readonly idPrefix = `${Date.now().toString(36)}-g`;
  private errorSeq = 0;

  constructor(private readonly deps: GatewayDeps) {
    this.downForMs = deps.downForMs ?? 1000;
    this.upstreams = new Upstreams(deps.requestTimeoutMs);
    this.routes = new RouteCache(deps.directory, this.upstreams);
    this.shadow = new ShadowMirror(deps.directory, deps.shadowMaxInflight);
  }

  async close(): Promise<void> {
    this.routes.close();
    await this.upstreams.close();
  }

  /** Serves one call; never throws (every failure is an error answer, logged like a success). */
  async call(c: Call): Promise<Outcome> {
    let v: CompiledVersion | undefined;
    let up: Upstream | undefined;
    let stopped = false;
    if (this.deps.tracer) c.span = openSpan(this.deps.tracer, `gateway ${c.op}`, c.traceparent);
    try {
      let svc = this.routes.get(c.service);
      if (svc === undefined) throw new DomainError('SERVICE_NOT_FOUND', `service "${c.service}" does not exist`);
      if (svc.route.stopped) {
        stopped = true;
        throw new DomainError('UNAVAILABLE', `service "${c.service}" is stopped`);
      }
      if (svc.route.auth) {
        await authorize(this.deps.directory, c.service, c.authorization);
        svc = this.routes.get(c.service) ?? svc;
      }
      v = await this.chooseVersion(svc, c.seq ?? headerSeq(c));
      if (v.bucket !== undefined && !v.bucket.take()) throw limited(c.service, 'requests per second');
      up = pickTarget(v, performance.now())!;
      if (v.maxConcurrency > 0 && up.inflight >= v.maxConcurrency) throw limited(c.service, 'concurrent requests');

      const path = c.op === 'predict' ? svc.paths.predict : c.op === 'infer' ? svc.paths.infer : svc.paths.metadata;
      const method = c.op === 'metadata' ? 'GET' : 'POST';
      const body = method === 'POST' ? (c.body ?? EMPTY) : undefined;
      const contentType = method === 'POST' ? (c.contentType ?? 'application/json') : undefined;
      const headerLength = method === 'POST' && typeof c.headerLength === 'string' ? c.headerLength : undefined;
      const traceparent = c.span ? traceparentFor(c.span) : typeof c.traceparent === 'string' ? c.traceparent : undefined;
      let ans: Answer;
      try {
        ans = await exchange(up, method, path, contentType, body, headerLength, traceparent);
      } catch (e) {
        if (!(e instanceof ConnectFailure)) throw e;
        up.downUntil = performance.now() + this.downForMs;
        [v, up] = this.retryTarget(svc, v, up);
        ans = await exchange(up, method, path, contentType, body, headerLength, traceparent).catch((e2: unknown) => {
          throw e2 instanceof ConnectFailure ? new DomainError('UNAVAILABLE', `no instance of service "${c.service}" could be reached; retry`) : e2;
        });
      }
      this.logCall(c, v, up, ans.status);
      const o: Outcome = { status: ans.status, contentType: ans.contentType, body: ans.body, headerLength: ans.headerLength, errorCode: ans.errorCode };
      if (v.capture !== undefined) captureCall(this.deps.capture, { call: c, version: v, instanceId: up.instanceId, outcome: o });
      // shadow traffic: a copy is sent later (setImmediate), after this answer went out
      if (svc.shadow !== undefined && body !== undefined) this.shadow.after(svc, v, { path, contentType, body, headerLength }, ans);
      return o;
    } catch (e) {
      const o = this.fail(c, e, v, up, stopped ? RETRY_AFTER_STOPPED : undefined);
      if (v?.capture !== undefined) captureCall(this.deps.capture, { call: c, version: v, instanceId: up?.instanceId, outcome: o });
      return o;
    }
  }

  /**
   * OIP model readiness, from the directory: ready when a version with traffic has a ready
   * instance (with `c.seq`: when that version has one).
   */
  modelReady(c: Call): Outcome {
    const svc = this.routes.get(c.service);
    if (svc === undefined) return this.fail(c, new DomainError('SERVICE_NOT_FOUND', `service "${c.service}" does not exist`));
    const named = c.seq === undefined ? undefined : svc.versions.find((x) => x.seq === c.seq);
    if (c.seq !== undefined && !named) return this.fail(c, new DomainError('SERVICE_VERSION_NOT_FOUND', `service "${c.service}" has no version ${c.seq}`));
    const ready = !svc.route.stopped && (named ? named.targets.length > 0 : svc.eligible.some((v) => v.targets.length > 0));
    if (!ready) return this.fail(c, noInstance(c.service));
    return { status: 200, contentType: JSON_TYPE, body: JSON.stringify({ name: c.service, ready: true }) };
  }

  /**
   * An error answer (`{"error":{code,message}}`; on the /v2 routes the protocol's
   * `{"error": "message", "code"}`; Retry-After where it helps), logged as a call.
   */
  fail(c: Call, err: unknown, v?: CompiledVersion, up?: Upstream, retryAfter?: string): Outcome {
    const a = errorAnswer(err, this.deps.log, () => `${this.idPrefix}${(++this.errorSeq).toString(36)}`, retryAfter);
    // a 429 before a version was chosen is the token's limit (auth.ts); after, the version's per-instance limit
    this.logCall(c, v, up, a.status, a.de.code === 'RATE_LIMITED' ? (v ? 'instance_limit' : 'token') : undefined);
    return { status: a.status, contentType: JSON_TYPE, body: errorJson(a.body, c.url), retryAfter: a.retryAfter, errorCode: a.de.code };
  }

  private logCall(c: Call, v: CompiledVersion | undefined, up: Upstream | undefined, status: number, limited?: CallSample['limited']): void {
    const ms = Math.round((performance.now() - c.t0) * 1000) / 1000;
    const q = c.url.indexOf('?');
    const path = q < 0 ? c.url : c.url.slice(0, q);
    const { log, accessLog, directory } = this.deps;
    // debug, not info: the access line below is the call's record (service logs, sinks);
    // a second copy on stdout per call was ~12% of the gateway's CPU under load
    log.debug({ service: c.service, version: v?.id, instance: up?.instanceId, method: c.method, path, status, ms }, 'call');
    if (accessLog) {
      try {
        accessLog({ ts: new Date().toISOString(), service: c.service, versionId: v?.id, instanceId: up?.instanceId, method: c.method, path, status, ms });
      } catch (e) {
        log.warn({ err: e }, 'access log sink failed');
      }
    }
    directory.observe(c.service, v?.id, { latencyMs: ms, status, instanceId: up?.instanceId, limited });
    if (c.span)
      closeSpan(c.span, `gateway ${c.op}`, status, {
        'modeldock.service': c.service,
        'modeldock.version': v?.seq ?? '',
        'modeldock.instance': up?.instanceId ?? '',
      });
  }

  /** Picks a version (by weight, or the one asked for) and holds for a wake-up when it has no instance. */
  private async chooseVersion(c: CompiledService, seq: number | undefined): Promise<CompiledVersion> {
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
    const { directory, wakeTimeoutMs } = this.deps;
    const woke = await directory.wake(c.name, id, wakeTimeoutMs);
    const now = this.routes.get(c.name);
    const again = woke ? now?.versions.find((x) => x.id === id) : undefined;
    if (again && again.targets.length > 0) return again;
    // By weight, but not for a named version: rather another version's answer than none.
    const other = seq === undefined ? now?.eligible.find((x) => x.targets.length > 0) : undefined;
    if (other) return other;
    throw new DomainError('UNAVAILABLE', `service "${c.name}" did not get a ready instance within ${wakeTimeoutMs} ms; retry`);
  }

  /** A second target for a retry: another instance of the version, else of another version, else the same one. */
  private retryTarget(c: CompiledService, v: CompiledVersion, failed: Upstream): [CompiledVersion, Upstream] {
    const other = pickTarget(v, performance.now(), failed);
    if (other) return [v, other];
    for (const w of c.eligible) {
      if (w === v) continue;
      const t = pickTarget(w, performance.now());
      if (t) return [w, t];
    }
    return [v, failed];
  }
}

/** The version an x-modeldock-version header names (`2`, `v2`); an unusable value names no version (404). */
function headerSeq(c: Call): number | undefined {
  if (c.version === undefined) return undefined;
  const seq = typeof c.version === 'string' ? versionSeqOf(c.version) : undefined;
  if (seq === undefined)
    throw new DomainError(
      'SERVICE_VERSION_NOT_FOUND',
      `service "${c.service}" has no version ${JSON.stringify(String(c.version).slice(0, 40))} (${VERSION_HEADER}: give a version number such as 2)`,
    );
  return seq;
}

export const noInstance = (service: string) => new DomainError('UNAVAILABLE', `service "${service}" has no ready instance; retry`);

const limited = (service: string, what: string) =>
  new DomainError('RATE_LIMITED', `service "${service}" is at its per-instance limit of ${what}; retry`, { retryAfterSeconds: 1 });
