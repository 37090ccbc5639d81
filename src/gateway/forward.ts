/**
 * One exchange with an instance over its keep-alive pool: the request bytes as the
 * client sent them, the answer read whole (answers are small JSON; reading them whole
 * lets a broken answer still become a clean error instead of a cut-off body).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { DomainError } from '../contracts/errors.js';
import type { Upstream } from './upstreams.js';

export interface Answer {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

/** Failed before any byte of an answer: safe to send again to another instance. */
export class ConnectFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('could not reach the instance');
  }
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ClientClosedError',
  'ClientDestroyedError',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const codeOf = (e: unknown): string => {
  const err = e as { code?: string; name?: string; cause?: { code?: string } };
  return err?.code ?? err?.cause?.code ?? err?.name ?? '';
};

export async function exchange(up: Upstream, method: 'GET' | 'POST', path: string, contentType: string | undefined, body: Buffer | undefined): Promise<Answer> {
  up.inflight++;
  try {
    let res;
    try {
      res = await up.pool.request({ method, path, headers: contentType === undefined ? undefined : { 'content-type': contentType }, body });
    } catch (e) {
      const code = codeOf(e);
      if (TIMEOUT_CODES.has(code)) throw timeout();
      if (CONNECT_CODES.has(code)) throw new ConnectFailure(e);
      throw broken(e);
    }
    try {
      const buf = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, contentType: headerOf(res.headers), body: buf };
    } catch (e) {
      throw TIMEOUT_CODES.has(codeOf(e)) ? timeout() : broken(e);
    }
  } finally {
    up.inflight--;
  }
}

function headerOf(h: IncomingHttpHeaders): string | undefined {
  const ct = h['content-type'];
  return Array.isArray(ct) ? ct[0] : ct;
}

const timeout = () => new DomainError('TIMEOUT', 'the instance did not answer within the request timeout');

function broken(e: unknown): DomainError {
  const err = new DomainError('UNAVAILABLE', 'the instance failed while answering; retry');
  (err as { cause?: unknown }).cause = e;
  return err;
}
