/**
 * The instance's HTTP front end on plain node:http (the hot path: no framework routing,
 * one JSON.parse and one JSON.stringify per call). Routes:
 *   GET  /v2/health/live | /v2/health/ready | /v2
 *   GET  /v2/models/{m}[/versions/{v}] | …/ready
 *   POST /v2/models/{m}[/versions/{v}]/infer           (OIP v2, JSON or binary tensors)
 *   POST /v1/models/{m}:predict                         (TI-ONE; body to the handler)
 *   GET  /metrics                                       (Prometheus)
 * Errors are answered as src/http/error-answer.ts builds them (`{"error":{"code","message"}}`,
 * on /v2 routes the protocol's `{"error": "message", "code"}`; both with x-modeldock-error-code);
 * a 5xx carries an id that is also in the log.
 */
import type { Tracer } from '@opentelemetry/api';
import { closeSpan, openSpan } from '../../tracing/call-span.js';
import http from 'node:http';
import { DomainError } from '../../contracts/errors.js';
import { ERROR_CODE_HEADER, OIP_HEADER_LENGTH, type OipInferRequest } from '../../contracts/oip.js';
import { answerOf, errorJson } from '../../http/error-answer.js';
import { clientErrorHandler, guardServerEdges } from '../../http/http-edge.js';
import { checkJsonDepth } from '../../http/json-depth.js';
import { readBody } from '../../http/read-body.js';
import { splitBody } from '../binary-tensors.js';
import { modelError, type DataPlane } from '../data-plane.js';
import type { InstanceMetrics } from '../instance-metrics.js';

export interface ServerDeps {
  plane: DataPlane;
  metrics: InstanceMetrics;
  modelName: string;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  isReady: () => boolean;
  isDraining: () => boolean;
  /** OpenTelemetry traces (MODELDOCK_OTLP_TRACES_URL); undefined: off */
  tracer?: Tracer;
}

type Route = 'infer' | 'predict' | 'metadata' | 'model_ready' | 'live' | 'ready' | 'server' | 'metrics' | 'other';

const JSON_TYPE = 'application/json; charset=utf-8';
let errorSeq = 0;

export function createInstanceServer(deps: ServerDeps): http.Server {
  // requireHostHeader: Node's own answer is an empty 400; guardServerEdges answers in JSON
  const server = http.createServer({ requireHostHeader: false }, (req, res) => void handle(deps, req, res));
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', clientErrorHandler());
  guardServerEdges(server);
  return server;
}

function send(deps: ServerDeps, res: http.ServerResponse, status: number, body: string | Buffer, type = JSON_TYPE, extra?: Record<string, string>): void {
  const headers: Record<string, string | number> = {
    'content-type': type,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    ...extra,
  };
  if (deps.isDraining()) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

/** The error answer (src/http/error-answer.ts) for a request to `path`; a 5xx is logged with its id and cause. */
function sendError(deps: ServerDeps, res: http.ServerResponse, route: Route, err: unknown, path: string): number {
  const { de, status, body, id, retryAfter } = answerOf(err instanceof DomainError ? err : modelError(err), () => `${process.pid}-${++errorSeq}`);
  if (id !== undefined) {
    const cause = (de as { cause?: unknown }).cause as Error | undefined;
    deps.log('error', 'request failed', { errorId: id, route, code: de.code, message: de.message, stack: cause?.stack });
  }
  const extra: Record<string, string> = retryAfter !== undefined ? { 'retry-after': retryAfter } : {};
  extra[ERROR_CODE_HEADER] = de.code;
  send(deps, res, status, errorJson(body, path), JSON_TYPE, extra);
  return status;
}

async function readJson(req: http.IncomingMessage, limit: number): Promise<unknown> {
  return parseJson(await readBody(req, limit, "the instance's"));
}

function parseJson(buf: Buffer): unknown {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new DomainError('INVALID_JSON', `the request body is not valid JSON: ${(e as Error).message}`);
  }
  return checkJsonDepth(value);
}

function deadlineOf(req: http.IncomingMessage, dflt: number): number {
  const h = req.headers['x-request-timeout-ms'];
  const n = typeof h === 'string' ? Number(h) : NaN;
  return Number.isFinite(n) && n > 0 ? Math.min(n, dflt) : dflt;
}

/** `/v2/models/{m}[/versions/{v}][/infer|/ready]` → its parts, or undefined. */
function parseModelPath(p: string): { name: string; tail: '' | 'infer' | 'ready' } | undefined {
  const parts = p.slice('/v2/models/'.length).split('/');
  let name: string;
  try {
    name = decodeURIComponent(parts[0] ?? '');
  } catch {
    throw new DomainError('MALFORMED_REQUEST', `the model name in ${p.slice(0, 200)} is not valid percent-encoding`);
  }
  let i = 1;
  if (parts[i] === 'versions' && parts[i + 1]) i += 2;
  const tail = parts[i] ?? '';
  if (parts.length > i + 1 || (tail !== '' && tail !== 'infer' && tail !== 'ready')) return undefined;
  return { name, tail };
}

function methodGuard(method: string | undefined, want: 'GET' | 'POST'): void {
  if (method !== want && !(want === 'GET' && method === 'HEAD')) throw new DomainError('METHOD_NOT_ALLOWED', `use ${want} here`, { allow: want });
}

async function handle(deps: ServerDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const started = performance.now();
  const q = req.url!.indexOf('?');
  const p = q < 0 ? req.url! : req.url!.slice(0, q);
  let route: Route = 'other';
  let status = 200;
  // the gateway's traceparent names its span: this one is its child (ended, so exported, for calls only, not probes)
  const span = deps.tracer ? openSpan(deps.tracer, 'instance', req.headers.traceparent) : undefined;
  deps.metrics.inFlight.inc();
  try {
    if (p.startsWith('/v2/models/')) {
      const m = parseModelPath(p);
      if (!m) throw new DomainError('ROUTE_NOT_FOUND', `no route ${p}`);
      route = m.tail === 'infer' ? 'infer' : m.tail === 'ready' ? 'model_ready' : 'metadata';
      if (m.name !== deps.modelName) throw new DomainError('MODEL_NOT_FOUND', `this instance serves model "${deps.modelName}", not "${m.name}"`);
      if (route === 'infer') {
        methodGuard(req.method, 'POST');
        if (!deps.isReady()) throw new DomainError('MODEL_NOT_READY', 'the model is not ready');
        const buf = await readBody(req, deps.maxBodyBytes, "the instance's");
        const headerLength = req.headers[OIP_HEADER_LENGTH];
        const { request, binary } = typeof headerLength === 'string' ? splitBody(buf, headerLength) : { request: parseJson(buf), binary: undefined };
        const answer = await deps.plane.infer(request as OipInferRequest, deadlineOf(req, deps.requestTimeoutMs), binary);
        if (answer.binary.length === 0) send(deps, res, 200, JSON.stringify(answer.response));
        else {
          const head = Buffer.from(JSON.stringify(answer.response));
          send(deps, res, 200, Buffer.concat([head, ...answer.binary]), 'application/octet-stream', { [OIP_HEADER_LENGTH]: String(head.length) });
        }
      } else if (route === 'model_ready') {
        methodGuard(req.method, 'GET');
        status = deps.isReady() ? 200 : 503;
        send(deps, res, status, JSON.stringify({ name: deps.modelName, ready: status === 200 }));
      } else {
        methodGuard(req.method, 'GET');
        send(deps, res, 200, JSON.stringify(deps.plane.metadata()));
      }
    } else if (p.startsWith('/v1/models/') && p.endsWith(':predict')) {
      route = 'predict';
      methodGuard(req.method, 'POST');
      if (!deps.isReady()) throw new DomainError('MODEL_NOT_READY', 'the model is not ready');
      const body = await readJson(req, deps.maxBodyBytes);
      send(deps, res, 200, JSON.stringify((await deps.plane.predict(body, deadlineOf(req, deps.requestTimeoutMs))) ?? null));
    } else if (p === '/v2/health/live') {
      route = 'live';
      send(deps, res, 200, '{"live":true}');
    } else if (p === '/v2/health/ready') {
      route = 'ready';
      status = deps.isReady() ? 200 : 503;
      send(deps, res, status, status === 200 ? '{"ready":true}' : '{"ready":false}');
    } else if (p === '/v2') {
      route = 'server';
      send(deps, res, 200, JSON.stringify({ name: 'modeldock', version: '1', extensions: ['binary_tensor_data'] }));
    } else if (p === '/metrics') {
      route = 'metrics';
      send(deps, res, 200, await deps.metrics.registry.metrics(), deps.metrics.registry.contentType);
    } else {
      throw new DomainError('ROUTE_NOT_FOUND', `no route ${req.method} ${p}`);
    }
  } catch (e) {
    if (!res.headersSent) {
      if (e instanceof DomainError && e.code === 'METHOD_NOT_ALLOWED') res.setHeader('allow', String((e.details as { allow: string }).allow));
      status = sendError(deps, res, route, e, p);
    } else res.destroy();
  } finally {
    deps.metrics.inFlight.dec();
    deps.metrics.observe(route, status, (performance.now() - started) / 1000);
    if (span && (route === 'infer' || route === 'predict' || route === 'metadata'))
      closeSpan(span, `instance ${route}`, status, { 'modeldock.model': deps.modelName, 'modeldock.instance': process.env.MODELDOCK_INSTANCE_ID ?? '' });
  }
}
