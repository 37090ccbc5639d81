/**
 * The closed set of domain errors. Every error the platform answers carries one of
 * these codes; the HTTP edge (src/http/error-answer.ts) maps each kind to a status.
 * docs/errors.md lists every code: src/contracts/errors.test.ts keeps the two in step.
 *
 * This file depends on nothing: the CLI, console, instance and gateway import it.
 */

export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'too_large'
  | 'request_timeout'
  | 'expectation_failed'
  | 'headers_too_large'
  | 'unsupported_media'
  | 'limited'
  | 'internal'
  | 'unavailable'
  | 'timeout'
  | 'insufficient_storage';

/** code → kind. Add a code here and a line in docs/errors.md together. */
export const ERROR_CODES = {
  // input
  INVALID_ARGUMENT: 'invalid',
  INVALID_JSON: 'invalid',
  MALFORMED_REQUEST: 'invalid',
  INVALID_NAME: 'invalid',
  INVALID_PATH: 'invalid',
  INVALID_MULTIPART: 'invalid',
  INVALID_ARCHIVE: 'invalid',
  UNSAFE_ARCHIVE_ENTRY: 'invalid',
  UNKNOWN_RUNTIME: 'invalid',
  DEPENDENCY_INSTALL_FAILED: 'invalid',
  SOURCE_NOT_FOUND: 'invalid',
  SOURCE_UNSUPPORTED: 'invalid',
  EMPTY_IMPORT: 'invalid',
  INVALID_TENSOR: 'invalid',
  INVALID_INPUT: 'invalid',
  INVALID_SCHEDULE: 'invalid',
  INVALID_SHADOW: 'invalid',
  IMAGE_FETCH_FAILED: 'invalid',
  IMAGE_ADDRESS_REFUSED: 'invalid',
  IMAGE_DECODE_FAILED: 'invalid',
  // auth
  UNAUTHENTICATED: 'unauthenticated',
  LOCAL_PATH_NOT_ALLOWED: 'forbidden',
  FORBIDDEN: 'forbidden',
  // lookup
  ROUTE_NOT_FOUND: 'not_found',
  MODEL_NOT_FOUND: 'not_found',
  VERSION_NOT_FOUND: 'not_found',
  FILE_NOT_FOUND: 'not_found',
  OBJECT_NOT_FOUND: 'not_found',
  TEMPLATE_NOT_FOUND: 'not_found',
  SERVICE_NOT_FOUND: 'not_found',
  CAPTURE_FILE_NOT_FOUND: 'not_found',
  RESOURCE_GROUP_NOT_FOUND: 'not_found',
  SERVICE_VERSION_NOT_FOUND: 'not_found',
  TOKEN_NOT_FOUND: 'not_found',
  TASK_NOT_FOUND: 'not_found',
  TASK_RUN_NOT_FOUND: 'not_found',
  ROLLOUT_NOT_FOUND: 'not_found',
  EXAMPLE_NOT_FOUND: 'not_found',
  BATCH_JOB_NOT_FOUND: 'not_found',
  METHOD_NOT_ALLOWED: 'method_not_allowed',
  // state
  MODEL_EXISTS: 'conflict',
  MODEL_IN_USE: 'conflict',
  SERVICE_EXISTS: 'conflict',
  NO_CAPACITY: 'conflict',
  RESOURCE_GROUP_EXISTS: 'conflict',
  RESOURCE_GROUP_IN_USE: 'conflict',
  VERSION_NOT_READY: 'conflict',
  LAST_SERVICE_VERSION: 'conflict',
  VERSION_HOLDS_ALL_TRAFFIC: 'conflict',
  PATH_CONFLICT: 'conflict',
  TASK_EXISTS: 'conflict',
  TASK_RUNNING: 'conflict',
  TASK_FINISHED: 'conflict',
  TASK_NOT_SUCCEEDED: 'conflict',
  BATCH_JOB_EXISTS: 'conflict',
  BATCH_JOB_RUNNING: 'conflict',
  BATCH_JOB_FINISHED: 'conflict',
  BATCH_OUTPUT_IN_USE: 'conflict',
  ROLLOUT_IN_PROGRESS: 'conflict',
  ROLLOUT_FINISHED: 'conflict',
  // size
  UPLOAD_TOO_LARGE: 'too_large',
  ARCHIVE_TOO_LARGE: 'too_large',
  HEADERS_TOO_LARGE: 'headers_too_large',
  // HTTP framing
  REQUEST_TIMEOUT: 'request_timeout',
  EXPECTATION_FAILED: 'expectation_failed',
  // limits
  RATE_LIMITED: 'limited',
  QUEUE_FULL: 'unavailable',
  MODEL_NOT_READY: 'unavailable',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media',
  // server side
  STORAGE_FULL: 'insufficient_storage',
  BLOB_CORRUPT: 'internal',
  INTERNAL: 'internal',
  UNAVAILABLE: 'unavailable',
  TIMEOUT: 'timeout',
  DEADLINE_EXCEEDED: 'timeout',
  MODEL_ERROR: 'internal',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The JSON body of every error answer: `{"error": {...}}`. */
export interface ErrorBody {
  error: { code: ErrorCode | string; message: string; id?: string; details?: unknown };
}

/** An error the platform means to answer with. Knows nothing of HTTP. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.kind = ERROR_CODES[code];
    this.details = details;
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

export function errorBody(code: ErrorCode | string, message: string, extra?: { id?: string; details?: unknown }): ErrorBody {
  return { error: { code, message, ...(extra?.id ? { id: extra.id } : {}), ...(extra?.details !== undefined ? { details: extra.details } : {}) } };
}
