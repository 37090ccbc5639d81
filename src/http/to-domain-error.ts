/**
 * Any thrown value as a DomainError: what Fastify throws (schema validation, body parsers,
 * limits, bad URLs) and Node (a full disk) become domain codes; anything unknown becomes
 * INTERNAL with the original as its cause. Fastify's errors are read by shape (their `code`,
 * `validation`), so nothing here imports a framework.
 */
import { DomainError } from '../contracts/errors.js';
import { NAME_PATTERN, NAME_RULE } from '../contracts/names.js';

interface Validation {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** The parts of a Fastify (or Node) error read here. */
interface ThrownShape {
  code?: string;
  name?: string;
  message: string;
  statusCode?: number;
  validation?: Validation[];
  validationContext?: string;
}

interface FieldError {
  field: string;
  message: string;
}

function fieldOf(v: Validation, context: string | undefined): FieldError {
  const missing = v.params?.missingProperty as string | undefined;
  const extra = v.params?.additionalProperty as string | undefined;
  const base = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const field = [base, missing ?? extra].filter(Boolean).join('.') || (context ?? 'body');
  const message = missing
    ? 'is required'
    : extra
      ? 'is not a known field'
      : v.params?.allowedValues
        ? `must be one of ${(v.params.allowedValues as unknown[]).map(String).join(', ')}`
        : (v.message ?? 'is invalid');
  return { field, message };
}

/** A schema validation failure: INVALID_NAME for a bad name, else INVALID_ARGUMENT with each field. */
function validationError(validation: Validation[], context: string | undefined): DomainError {
  const fields = validation.map((v) => fieldOf(v, context));
  const nameField = validation.find((v) => v.instancePath === '/name' && v.params?.pattern === NAME_PATTERN);
  if (nameField) return new DomainError('INVALID_NAME', `name is not valid: ${NAME_RULE}`, { fields: [{ field: 'name', message: NAME_RULE }] });
  const summary = fields.map((f) => `${f.field} ${f.message}`).join('; ');
  return new DomainError('INVALID_ARGUMENT', `${context ?? 'request'}: ${summary}`, { fields });
}

const TOO_LARGE = new Set(['FST_ERR_CTP_BODY_TOO_LARGE', 'FST_REQ_FILE_TOO_LARGE', 'FST_PARTS_LIMIT', 'FST_FILES_LIMIT', 'FST_FIELDS_LIMIT']);

/** Turns any thrown value into a DomainError (unknown errors become INTERNAL). */
export function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  const e = err as ThrownShape | undefined;
  if (e?.validation) return validationError(e.validation, e.validationContext);
  const code = e?.code ?? '';
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (e?.statusCode === 400 && e?.name === 'SyntaxError')) {
    return new DomainError('INVALID_JSON', `the request body is not valid JSON: ${e!.message}`);
  }
  if (TOO_LARGE.has(code)) return new DomainError('UPLOAD_TOO_LARGE', e!.message);
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return new DomainError('UNSUPPORTED_MEDIA_TYPE', e!.message);
  }
  if (code === 'FST_ERR_BAD_URL') return new DomainError('MALFORMED_REQUEST', `the URL is not valid: ${e!.message}`);
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') return new DomainError('INVALID_ARGUMENT', 'a path segment of the URL is too long');
  if (code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' || code === 'FST_ERR_CTP_INVALID_TYPE') {
    return new DomainError('INVALID_ARGUMENT', e!.message);
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DomainError('STORAGE_FULL', 'the storage device is full; nothing was stored');
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new DomainError('INVALID_ARGUMENT', e.message);
  }
  const internal = new DomainError('INTERNAL', 'internal error');
  (internal as { cause?: unknown }).cause = err;
  return internal;
}
