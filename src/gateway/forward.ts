/**
 * One exchange with an instance over its keep-alive pool: the request bytes as the
 * client sent them, the answer read whole (answers are small JSON; reading them whole
 * lets a broken answer still become a clean error instead of a cut-off body).
 */
import { DomainError } from '../contracts/errors.js';
import { ERROR_CODE_HEADER, OIP_HEADER_LENGTH } from '../contracts/oip.js';
import type { Upstream } from './upstreams.js';

export interface Answer {
  status: number;
  contentType: string | undefined;
  /** Inference-Header-Content-Length of a binary-tensor answer (OIP v2 extension) */
  headerLength?: string;
  /** the instance's x-modeldock-error-code on an error answer */
  errorCode?: string;
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

/**
 * Sends one request on the upstream's pool and reads the answer whole. Uses the pool's
 * dispatch handler API directly: no response stream or extra promise per call.
 */
export function exchange(
  up: Upstream,
  method: 'GET' | 'POST',
  path: string,
  contentType: string | undefined,
  body: Buffer | undefined,
  headerLength?: string,
  traceparent?: string,
): Promise<Answer> {
  let headers: Record<string, string> | undefined = contentType === undefined ? undefined : { 'content-type': contentType };
  if (headers && headerLength !== undefined) headers[OIP_HEADER_LENGTH] = headerLength;
  if (traceparent !== undefined) (headers ??= {}).traceparent = traceparent;
  return new Promise<Answer>((resolve, reject) => {
    let status = 0;
    let type: string | undefined;
    let binaryHead: string | undefined;
    let errorCode: string | undefined;
    let started = false;
    let settled = false;
    const chunks: Buffer[] = [];
    const finish = (err: unknown, answer?: Answer) => {
      if (settled) return;
      settled = true;
      up.inflight--;
      if (answer) resolve(answer);
      else reject(classify(err, started));
    };
    up.inflight++;
    try {
      up.pool.dispatch(
        { method, path, headers, body },
        {
          // (undici tells its new handler API from the legacy one by this method)
          onRequestStart() {},
          onResponseStart(_c: unknown, statusCode: number, headers: Record<string, string | string[] | undefined>) {
            started = true;
            status = statusCode;
            type = headerOf(headers, 'content-type');
            binaryHead = headerOf(headers, OIP_HEADER_LENGTH);
            if (statusCode >= 400) errorCode = headerOf(headers, ERROR_CODE_HEADER);
          },
          onResponseData(_c: unknown, chunk: Buffer) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            const answer: Answer = { status, contentType: type, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
            if (binaryHead !== undefined) answer.headerLength = binaryHead;
            if (errorCode !== undefined) answer.errorCode = errorCode;
            finish(undefined, answer);
          },
          onResponseError(_c: unknown, err: Error) {
            finish(err);
          },
        },
      );
    } catch (e) {
      finish(e);
    }
  });
}

/** Before any answer byte, a connect or reset failure may be sent again elsewhere; after, it may not. */
function classify(e: unknown, started: boolean): Error {
  const code = codeOf(e);
  if (TIMEOUT_CODES.has(code)) return timeout();
  if (!started && CONNECT_CODES.has(code)) return new ConnectFailure(e);
  return broken(e);
}

function headerOf(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

const timeout = () => new DomainError('TIMEOUT', 'the instance did not answer within the request timeout');

function broken(e: unknown): DomainError {
  const err = new DomainError('UNAVAILABLE', 'the instance failed while answering; retry');
  (err as { cause?: unknown }).cause = e;
  return err;
}
