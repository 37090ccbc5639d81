/**
 * The data plane's hot routes on plain node:http, in front of Fastify on the same server:
 *   POST /v2/models/{service}/infer
 *   POST /v2/models/{service}/versions/{n}/infer
 *   POST /{service}/v1/models/m:predict
 *   POST /v1/models/{service}:predict                   (KServe v1, same call)
 * Everything else (the API, the console, the data plane's GET routes, any path this does
 * not match exactly) goes to Fastify as before. Measured (docs/benchmarks.md): Fastify's
 * request/reply objects, hooks and content-type parsing cost more per call than the whole
 * rest of the gateway; here a call is one body read, GatewayCore.call, one write.
 * Server-level protections (header/request/idle timeouts) apply to both, being the server's.
 */
import type http from 'node:http';
import { readBody } from '../http/read-body.js';
import { callFrom, outcomeHeaders, type Call, type GatewayCore, type Outcome } from './gateway-core.js';

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A service name as the data plane routes it (anything else is left to Fastify's router). */
const SERVICE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const PREDICT_TAIL = '/v1/models/m:predict';
/** KServe v1 at the root: POST /v1/models/{service}:predict */
const KSERVE_PREDICT = /^\/v1\/models\/([A-Za-z0-9][A-Za-z0-9_.-]*):predict$/;

/** The call a hot route names, or undefined when the request is not one (Fastify takes it). */
export function hotRoute(method: string | undefined, url: string): Pick<Call, 'service' | 'op' | 'seq'> | undefined {
  if (method !== 'POST') return undefined;
  const q = url.indexOf('?');
  const p = q < 0 ? url : url.slice(0, q);
  if (p.startsWith('/v2/models/')) {
    const parts = p.slice(11).split('/');
    const service = parts[0]!;
    if (!SERVICE.test(service)) return undefined;
    if (parts.length === 2 && parts[1] === 'infer') return { service, op: 'infer' };
    if (parts.length === 4 && parts[1] === 'versions' && parts[3] === 'infer' && /^[1-9][0-9]{0,8}$/.test(parts[2]!))
      return { service, op: 'infer', seq: Number(parts[2]) };
    return undefined;
  }
  const kserve = p.startsWith('/v1/models/') ? KSERVE_PREDICT.exec(p) : null;
  if (kserve) return { service: kserve[1]!, op: 'predict' };
  if (p.endsWith(PREDICT_TAIL)) {
    const service = p.slice(1, p.length - PREDICT_TAIL.length);
    if (service === 'v2' || service === 'api' || !SERVICE.test(service)) return undefined;
    return { service, op: 'predict' };
  }
  return undefined;
}

/** `close`: the connection ends after this answer (Connection: close). */
function write(res: http.ServerResponse, o: Outcome, close = false): void {
  if (res.destroyed) return;
  const length = typeof o.body === 'string' ? Buffer.byteLength(o.body) : o.body.length;
  const headers = outcomeHeaders(o, { 'content-type': 'application/octet-stream', 'content-length': length });
  if (close) headers.connection = 'close';
  res.writeHead(o.status, headers);
  res.end(o.body);
}

async function serve(
  core: GatewayCore,
  maxBodyBytes: number,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  hot: Pick<Call, 'service' | 'op' | 'seq'>,
): Promise<void> {
  const call = callFrom(req, hot);
  const body = await readBody(req, maxBodyBytes, "the gateway's").catch((e: unknown) => e as Error);
  if (body instanceof Error) {
    // A body refused part-read (413): the rest of it is not read, so the connection is closed
    // after the answer (docs/security.md), not left to carry the unread bytes as a next request.
    write(res, core.fail(call, body), true);
    return;
  }
  call.body = body;
  write(res, await core.call(call));
}

/**
 * Puts the hot routes in front of the server's existing request listeners (Fastify's).
 * `closing()` true: everything goes to Fastify, which answers 503 while it closes.
 */
export function installFrontDoor(server: http.Server, core: GatewayCore, maxBodyBytes: number, closing: () => boolean): void {
  const behind = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const hot = closing() ? undefined : hotRoute(req.method, req.url ?? '');
    if (hot === undefined) {
      for (const l of behind) l.call(server, req, res);
      return;
    }
    serve(core, maxBodyBytes, req, res, hot).catch((e: unknown) => {
      if (!res.headersSent) write(res, core.fail(callFrom(req, hot), e));
      else res.destroy();
    });
  });
}
