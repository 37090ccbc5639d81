/**
 * The platform's OpenAPI document, read from a running app, to check real answers against:
 * `expectDocumented(method, route, answer)` fails unless the answer's status is one the
 * document gives the route and its JSON body is valid against the schema there (ajv).
 * Routes are written as Fastify registers them (`/api/v1/models/:name`, `/api/v1/storage/*`).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';

export interface DocOperation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
export type OpenApiDoc = {
  paths: Record<string, Record<string, DocOperation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

/** Fastify's `/a/:b/*` as the document writes it: `/a/{b}/{*}` (and `m::predict` as `m:predict`). */
export const docPath = (url: string) =>
  url
    .replaceAll('::', '\0')
    .replace(/:([A-Za-z_]+)/g, '{$1}')
    .replace(/\*/g, '{*}')
    .replaceAll('\0', ':');
const pointer = (...parts: string[]) => parts.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

export async function openApiOf(app: FastifyInstance) {
  const doc = (await app.inject({ url: '/api/openapi.json' })).json() as OpenApiDoc;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema(doc, 'openapi');
  const operation = (method: string, url: string): DocOperation | undefined => doc.paths[docPath(url)]?.[method.toLowerCase()];
  const validators = new Map<string, ValidateFunction>();
  /** The document's schema of the JSON answer of `method url` with `status`, compiled. */
  const validator = (method: string, url: string, status: string): ValidateFunction => {
    const key = `${method} ${url} ${status}`;
    if (!validators.has(key)) {
      const ref = `openapi#/${pointer('paths', docPath(url), method.toLowerCase(), 'responses', status, 'content', 'application/json', 'schema')}`;
      validators.set(key, ajv.compile({ $ref: ref }));
    }
    return validators.get(key)!;
  };
  /** The one 2xx status the document gives `method url`. */
  const successOf = (method: string, url: string): number => Number(Object.keys(operation(method, url)?.responses ?? {}).find((s) => s.startsWith('2')));
  /** Asserts the answer has a status the document gives, and a body valid against its schema there. */
  const expectDocumented = (method: string, url: string, r: { statusCode: number; body: string }): void => {
    const o = operation(method, url);
    expect(o, `${method} ${url} documented`).toBeDefined();
    const status = String(r.statusCode);
    expect(Object.keys(o!.responses), `${method} ${url} answered ${r.statusCode}: ${r.body}`).toContain(status);
    const validate = validator(method, url, status);
    expect(validate(JSON.parse(r.body)) ? [] : validate.errors, `${method} ${url} ${status}: ${r.body}`).toEqual([]);
  };
  return { doc, operation, validator, successOf, expectDocumented };
}
