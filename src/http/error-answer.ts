/**
 * The one place where domain errors become HTTP answers, for every server (the API, the
 * gateway, the instance) and free of any framework: kind → status, the Retry-After a client
 * should honour, the id a 5xx carries (in the body and in the log), and the JSON body —
 * `{"error":{"code","message"}}`, or on the OIP v2 routes (/v2…) the protocol's
 * `{"error": "message", "code"}` (docs/errors.md). Each server only writes the answer.
 */
import { DomainError, errorBody, type ErrorBody, type ErrorCode, type ErrorKind } from '../contracts/errors.js';
import { isOipPath, oipErrorBody } from '../contracts/oip.js';
import { toDomainError } from './to-domain-error.js';

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  too_large: 413,
  request_timeout: 408,
  expectation_failed: 417,
  headers_too_large: 431,
  unsupported_media: 415,
  limited: 429,
  internal: 500,
  unavailable: 503,
  timeout: 504,
  insufficient_storage: 507,
};

/** Seconds a client should wait when nothing can serve it now (unavailable) or it is over a limit. */
const RETRY_AFTER_SECONDS = '1';

/**
 * The Retry-After for an error, if any: the seconds its details name (`retryAfterSeconds`, a
 * token's limit window), else `unavailable` (`fallback` when the caller knows better, e.g. a
 * stopped service) and `limited` say 1.
 */
export function retryAfterOf(de: DomainError, fallback?: string): string | undefined {
  const wait = (de.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
  if (wait !== undefined) return String(wait);
  if (de.kind === 'unavailable') return fallback ?? RETRY_AFTER_SECONDS;
  if (de.kind === 'limited') return RETRY_AFTER_SECONDS;
  return fallback;
}

export interface ErrorAnswer {
  de: DomainError;
  status: number;
  body: ErrorBody;
  /** a 5xx's id: in the body, and to be logged */
  id?: string;
  retryAfter?: string;
}

/** A domain error's answer; a 5xx gets an id from `newId()`. Logs nothing. */
export function answerOf(de: DomainError, newId: () => string, retryAfter?: string): ErrorAnswer {
  const status = STATUS_BY_KIND[de.kind];
  const id = status >= 500 ? newId() : undefined;
  const body = errorBody(de.code as ErrorCode, de.message, { id, details: de.details });
  return { de, status, body, ...(id !== undefined ? { id } : {}), retryAfter: retryAfterOf(de, retryAfter) };
}

export interface ErrorLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Any thrown value as an answer (toDomainError, then answerOf), its 5xx logged with the id:
 * internal errors with their cause, other 5xx (503 no instance, 504 timeout, 507 disk full)
 * as a warning without a stack. The API (sendError) and the gateway (GatewayCore.fail) answer so.
 */
export function errorAnswer(err: unknown, log: ErrorLog, newId: () => string, retryAfter?: string): ErrorAnswer {
  const a = answerOf(toDomainError(err), newId, retryAfter);
  const { de, id } = a;
  if (id !== undefined) {
    if (de.kind === 'internal') log.error({ err: (de as { cause?: unknown }).cause ?? de, errorId: id, code: de.code }, 'request failed');
    else log.warn({ errorId: id, code: de.code, msg: de.message }, 'request not served');
  }
  return a;
}

/** The answer's JSON text for a request to `path`: the OIP v2 shape on /v2 routes, else the documented one. */
export function errorJson(body: ErrorBody, path: string): string {
  return JSON.stringify(isOipPath(path) ? oipErrorBody(body.error) : body);
}
