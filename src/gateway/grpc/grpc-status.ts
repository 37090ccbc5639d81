/**
 * The gRPC edge of the gateway's errors: an error Outcome (the `{"error": …}` JSON answer
 * GatewayCore gives REST) becomes a gRPC status, its message the error's message, with the
 * stable modeldock code (and a 5xx's id, a limit's Retry-After) in the trailing metadata.
 * One table, by error kind, as src/http/error-answer.ts has one for HTTP.
 */
import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { ERROR_CODES, type ErrorKind } from '../../contracts/errors.js';
import type { Outcome } from '../gateway-core.js';

/** trailing metadata keys */
export const CODE_KEY = 'modeldock-error-code';
export const ID_KEY = 'modeldock-error-id';
export const RETRY_AFTER_KEY = 'retry-after';

/** by error kind (every kind has a line: grpc-status.test.ts checks) */
export const GRPC_STATUS_BY_KIND: Readonly<Record<string, Status>> = {
  invalid: Status.INVALID_ARGUMENT,
  unauthenticated: Status.UNAUTHENTICATED,
  forbidden: Status.PERMISSION_DENIED,
  not_found: Status.NOT_FOUND,
  method_not_allowed: Status.UNIMPLEMENTED,
  conflict: Status.FAILED_PRECONDITION,
  too_large: Status.RESOURCE_EXHAUSTED,
  unsupported_media: Status.INVALID_ARGUMENT,
  limited: Status.RESOURCE_EXHAUSTED,
  internal: Status.INTERNAL,
  unavailable: Status.UNAVAILABLE,
  timeout: Status.DEADLINE_EXCEEDED,
  insufficient_storage: Status.RESOURCE_EXHAUSTED,
  request_timeout: Status.DEADLINE_EXCEEDED,
  expectation_failed: Status.FAILED_PRECONDITION,
  headers_too_large: Status.RESOURCE_EXHAUSTED,
};

/** for an answer without a known code (an instance's own error, say): by HTTP status */
const BY_HTTP: Record<number, Status> = {
  400: Status.INVALID_ARGUMENT,
  401: Status.UNAUTHENTICATED,
  403: Status.PERMISSION_DENIED,
  404: Status.NOT_FOUND,
  409: Status.FAILED_PRECONDITION,
  413: Status.RESOURCE_EXHAUSTED,
  429: Status.RESOURCE_EXHAUSTED,
  501: Status.UNIMPLEMENTED,
  503: Status.UNAVAILABLE,
  504: Status.DEADLINE_EXCEEDED,
};

/** The code, message and id of an error answer's body: `{"error": {code, message, id}}`, or the protocol's `{"error": "message", "code": …}`. */
export function errorOf(o: Outcome): { code?: string; message: string; id?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof o.body === 'string' ? o.body : o.body.toString('utf8'));
  } catch {
    return { message: `the instance answered HTTP ${o.status}` };
  }
  const b = parsed as { error?: unknown; code?: unknown; id?: unknown };
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  if (b?.error && typeof b.error === 'object') {
    const e = b.error as { code?: unknown; message?: unknown; id?: unknown };
    return { code: str(e.code), message: str(e.message) ?? `HTTP ${o.status}`, id: str(e.id) };
  }
  return { code: str(b?.code), message: str(b?.error) ?? `HTTP ${o.status}`, id: str(b?.id) };
}

export function grpcStatusOf(code: string | undefined, httpStatus: number): Status {
  const kind = code !== undefined ? (ERROR_CODES as Record<string, ErrorKind>)[code] : undefined;
  const byKind = kind !== undefined ? GRPC_STATUS_BY_KIND[kind] : undefined;
  if (byKind !== undefined) return byKind;
  return BY_HTTP[httpStatus] ?? (httpStatus >= 500 ? Status.INTERNAL : Status.UNKNOWN);
}

/** An error Outcome as the error a unary handler's callback takes. */
export function grpcError(o: Outcome): Partial<ServiceError> {
  const e = errorOf(o);
  e.code = o.errorCode ?? e.code;
  const metadata = new Metadata();
  if (e.code) metadata.set(CODE_KEY, e.code);
  if (e.id) metadata.set(ID_KEY, e.id);
  if (o.retryAfter !== undefined) metadata.set(RETRY_AFTER_KEY, o.retryAfter);
  return { code: grpcStatusOf(e.code, o.status), details: e.message, metadata };
}
