/** /api/v1/services/{name}/tokens: a service's call tokens (value shown once, on create and rotate). */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TokenPatchInput, TokenService } from '../../tokens/tokens.js';

const NameParams = Type.Object({ name: Type.String({ maxLength: 60 }) });
const TokenParams = Type.Object({ name: Type.String({ maxLength: 60 }), id: Type.String({ maxLength: 64 }) });

const Limit = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });
const LimitsSchema = Type.Object(
  { perMinute: Type.Optional(Limit), perDay: Type.Optional(Limit) },
  { additionalProperties: false, description: 'requests per minute / per UTC day; absent = unlimited' },
);
const LimitsPatchSchema = Type.Object(
  { perMinute: Type.Optional(Type.Union([Limit, Type.Null()])), perDay: Type.Optional(Type.Union([Limit, Type.Null()])) },
  { additionalProperties: false, description: 'replaces the limits; a missing or null field removes that limit' },
);
const TokenName = Type.String({ minLength: 1, maxLength: 60, pattern: '^[^\\u0000-\\u001f]+$' });

const CreateBody = Type.Object({ name: Type.Optional(TokenName), limits: Type.Optional(LimitsSchema) }, { additionalProperties: false });
const PatchBody = Type.Object(
  { name: Type.Optional(TokenName), enabled: Type.Optional(Type.Boolean()), limits: Type.Optional(LimitsPatchSchema) },
  { additionalProperties: false },
);

export const TokenInfoSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  hint: Type.String({ description: 'the first and last characters, to tell tokens apart' }),
  limits: Type.Object({ perMinute: Type.Optional(Type.Integer()), perDay: Type.Optional(Type.Integer()) }),
  enabled: Type.Boolean(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  usage: Type.Optional(
    Type.Object(
      { minute: Type.Integer(), day: Type.Integer() },
      { description: 'calls counted against the limits in the current minute and UTC day, over all replicas (behind by up to ~1 s)' },
    ),
  ),
});
export const TokenWithValueSchema = Type.Intersect([TokenInfoSchema, Type.Object({ token: Type.String({ description: 'shown only in this answer' }) })]);

type Params = { name: string; id: string };

export function tokensPlugin(deps: { tokens: TokenService }): FastifyPluginAsync {
  const { tokens } = deps;
  return async (app) => {
    const tags = ['services'];
    const base = '/api/v1/services/:name/tokens';

    app.post(
      base,
      {
        schema: {
          tags,
          summary: 'Create a call token (the value is answered only here)',
          params: NameParams,
          body: CreateBody,
          response: { 201: TokenWithValueSchema },
        },
      },
      async (req, reply) => {
        reply.code(201);
        return tokens.create((req.params as Params).name, req.body as typeof CreateBody.static);
      },
    );

    app.get(
      base,
      { schema: { tags, summary: 'List call tokens (no values)', params: NameParams, response: { 200: Type.Object({ items: Type.Array(TokenInfoSchema) }) } } },
      async (req) => ({
        items: await tokens.list((req.params as Params).name),
      }),
    );

    app.get(
      `${base}/:id`,
      { schema: { tags, summary: 'Show a call token (no value)', params: TokenParams, response: { 200: TokenInfoSchema } } },
      async (req) => {
        const p = req.params as Params;
        return tokens.get(p.name, p.id);
      },
    );

    app.post(
      `${base}/:id/rotate`,
      { schema: { tags, summary: 'Give a token a new value (the old one stops working)', params: TokenParams, response: { 200: TokenWithValueSchema } } },
      async (req) => {
        const p = req.params as Params;
        return tokens.rotate(p.name, p.id);
      },
    );

    app.patch(
      `${base}/:id`,
      {
        schema: {
          tags,
          summary: 'Enable, disable, rename or change the limits of a token',
          params: TokenParams,
          body: PatchBody,
          response: { 200: TokenInfoSchema },
        },
      },
      async (req) => {
        const p = req.params as Params;
        return tokens.update(p.name, p.id, req.body as TokenPatchInput);
      },
    );

    app.delete(`${base}/:id`, { schema: { tags, summary: 'Delete a token', params: TokenParams } }, async (req, reply) => {
      const p = req.params as Params;
      await tokens.delete(p.name, p.id);
      return reply.code(204).send();
    });
  };
}
