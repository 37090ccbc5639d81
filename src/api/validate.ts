/** Validates a value against a TypeBox schema outside Fastify's body validation (multipart fields). */
import type { TSchema, Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DomainError } from '../contracts/errors.js';
import { checkJsonDepth } from '../http/json-depth.js';

export function parseJsonField(raw: string | undefined, field: string): unknown {
  if (raw === undefined)
    throw new DomainError('INVALID_ARGUMENT', `the multipart request needs a "${field}" field`, { fields: [{ field, message: 'is required' }] });
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    throw new DomainError('INVALID_JSON', `field "${field}" is not valid JSON: ${(e as Error).message}`);
  }
  return checkJsonDepth(value, `field "${field}"`);
}

export function check<T extends TSchema>(schema: T, value: unknown, context: string): Static<T> {
  if (Value.Check(schema, value)) return value as Static<T>;
  const seen = new Set<string>();
  const fields: { field: string; message: string }[] = [];
  for (const e of Value.Errors(schema, value)) {
    const field = e.path.replace(/^\//, '').replace(/\//g, '.') || context;
    if (seen.has(field)) continue;
    seen.add(field);
    fields.push({ field, message: e.message });
  }
  throw new DomainError('INVALID_ARGUMENT', `${context}: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`, { fields });
}
