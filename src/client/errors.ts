/**
 * ModeldockError: the one error the SDK throws. It carries the platform's stable code
 * (docs/errors.md) and the HTTP status, or a client-side code with status 0 when no answer
 * came: UNREACHABLE (nothing listens), TIMEOUT (timeoutMs passed), TRANSPORT (cut off),
 * INVALID_RESPONSE (an answer that is not the JSON it should be).
 */
import type { ErrorBody } from '../contracts/errors.js';
import type { OipErrorBody } from '../contracts/oip.js';

export class ModeldockError extends Error {
  constructor(
    /** stable code, e.g. MODEL_NOT_FOUND, UNAUTHORIZED, UNREACHABLE */
    readonly code: string,
    /** HTTP status; 0 when no answer came */
    readonly status: number,
    message: string,
    /** the error's details (e.g. {fields: [{field, message}]} for a validation error) */
    readonly details?: unknown,
    /** the id of a 5xx, also in the platform's log */
    readonly id?: string,
  ) {
    super(message);
    this.name = 'ModeldockError';
  }
}

/** The error an answer of status >= 400 carries: both the control plane's and the /v2 routes' shapes. */
export function errorFromAnswer(status: number, text: string, where: string): ModeldockError {
  try {
    const body = JSON.parse(text) as ErrorBody | OipErrorBody;
    if (typeof body?.error === 'string' && 'code' in body) return new ModeldockError(body.code, status, body.error, body.details, body.id);
    if (typeof body?.error === 'object' && body.error?.code)
      return new ModeldockError(body.error.code, status, body.error.message, body.error.details, body.error.id);
  } catch {
    /* not JSON: fall through */
  }
  return new ModeldockError(`HTTP_${status}`, status, `${where} answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`);
}

interface NetError {
  name?: string;
  message?: string;
  code?: string;
  cause?: NetError;
}

/** A fetch that failed without an answer, as a ModeldockError. */
export function transportError(e: unknown, baseUrl: string, timedOut: boolean, timeoutMs: number): ModeldockError {
  if (e instanceof ModeldockError) return e;
  const err = (e ?? {}) as NetError;
  if (timedOut) return new ModeldockError('TIMEOUT', 0, `${baseUrl || 'the platform'} did not answer within ${timeoutMs} ms`);
  const code = err.code ?? err.cause?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'EAI_AGAIN') {
    const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'host not found' : code;
    return new ModeldockError(
      'UNREACHABLE',
      0,
      `cannot reach modeldock at ${baseUrl} (${why}): start the platform with \`modeldock up\`, or point --server / MODELDOCK_SERVER at it`,
    );
  }
  if (err.name === 'AbortError') return new ModeldockError('ABORTED', 0, `${baseUrl}: the call was aborted`);
  return new ModeldockError('TRANSPORT', 0, `${baseUrl}: ${err.cause?.message ?? err.message ?? String(e)}`);
}
