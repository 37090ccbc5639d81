/**
 * The one place where domain errors become HTTP: kind → status, and the JSON body
 * `{"error":{"code","message"}}`. Framework errors (bad JSON, body limits, validation)
 * are translated into domain codes here too. A 5xx carries an id that is also logged.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, errorBody, type ErrorBody, type ErrorCode, type ErrorKind } from '../contracts/errors.js';
import { NAME_PATTERN, NAME_RULE } from '../contracts/names.js';

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

interface FieldError {
  field: string;
  message: string;
}

/** Turns any thrown value into a DomainError (unknown errors become INTERNAL). */
export function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  const e = err as FastifyError & { validation?: { instancePath: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  if (e?.validation) {
    const fields: FieldError[] = e.validation.map((v) => {
      const missing = v.params?.missingProperty as string | undefined;
      const extra = v.params?.additionalProperty as string | undefined;
      const base = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const field = [base, missing ?? extra].filter(Boolean).join('.') || (e.validationContext ?? 'body');
      const message = missing
        ? 'is required'
        : extra
          ? 'is not a known field'
          : v.params?.allowedValues
            ? `must be one of ${(v.params.allowedValues as unknown[]).map(String).join(', ')}`
            : (v.message ?? 'is invalid');
      return { field, message };
    });
    const nameField = e.validation.find((v) => v.instancePath === '/name' && v.params?.pattern === NAME_PATTERN);
    if (nameField) return new DomainError('INVALID_NAME', `name is not valid: ${NAME_RULE}`, { fields: [{ field: 'name', message: NAME_RULE }] });
    const summary = fields.map((f) => `${f.field} ${f.message}`).join('; ');
    return new DomainError('INVALID_ARGUMENT', `${e.validationContext ?? 'request'}: ${summary}`, { fields });
  }
  const code = e?.code ?? '';
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (e?.statusCode === 400 && e?.name === 'SyntaxError')) {
    return new DomainError('INVALID_JSON', `the request body is not valid JSON: ${e.message}`);
  }
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new DomainError('UPLOAD_TOO_LARGE', e.message);
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return new DomainError('UNSUPPORTED_MEDIA_TYPE', e.message);
  }
  if (code === 'FST_ERR_BAD_URL') return new DomainError('MALFORMED_REQUEST', `the URL is not valid: ${e.message}`);
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') return new DomainError('INVALID_ARGUMENT', 'a path segment of the URL is too long');
  if (code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' || code === 'FST_ERR_CTP_INVALID_TYPE') {
    return new DomainError('INVALID_ARGUMENT', e.message);
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DomainError('STORAGE_FULL', 'the storage device is full; nothing was stored');
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new DomainError('INVALID_ARGUMENT', e.message);
  }
  const internal = new DomainError('INTERNAL', 'internal error');
  (internal as { cause?: unknown }).cause = err;
  return internal;
}

interface ErrorLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Any thrown value as an answer: its domain error, the status, and the JSON body. A 5xx
 * gets an id (`newId()`) that is in the body and in the log: internal errors are logged
 * with their cause, other 5xx (503 no instance, 504 timeout, 507 disk full) as a warning
 * without a stack. The API (sendError) and the gateway (GatewayCore.fail) both answer so.
 */
export function errorAnswer(err: unknown, log: ErrorLog, newId: () => string): { de: DomainError; status: number; body: ErrorBody } {
  const de = toDomainError(err);
  const status = STATUS_BY_KIND[de.kind];
  let id: string | undefined;
  if (status >= 500) {
    id = newId();
    if (de.kind === 'internal') log.error({ err: (de as { cause?: unknown }).cause ?? de, errorId: id, code: de.code }, 'request failed');
    else log.warn({ errorId: id, code: de.code, msg: de.message }, 'request not served');
  }
  return { de, status, body: errorBody(de.code as ErrorCode, de.message, { id, details: de.details }) };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body } = errorAnswer(err, request.log, () => String(request.id));
  // Answered before the request body was all read (a full disk, a bad field, a limit hit
  // mid-upload): whoever was reading it stopped, so the client's upload would stall on a
  // full socket and never get to read this answer. The rest is read and dropped (the
  // request timeout bounds it), so the client finishes sending and reads the answer;
  // closing at once cuts such uploads off with EPIPE before they see why. A body stream
  // already destroyed (a failed pipeline) cannot be drained: that connection is closed.
  if (!request.raw.complete) {
    if (request.raw.destroyed) reply.header('connection', 'close');
    else request.raw.resume();
  }
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
