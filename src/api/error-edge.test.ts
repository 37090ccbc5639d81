/** The API's error answers on a real Fastify reply: status, documented body, and Retry-After when one applies. */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../contracts/errors.js';
import { sendError } from './error-edge.js';

async function answer(err: unknown) {
  const app = Fastify({ logger: false });
  app.setErrorHandler((e, request, reply) => sendError(request, reply, e));
  app.get('/x', async () => {
    throw err;
  });
  const r = await app.inject({ url: '/x' });
  await app.close();
  return { status: r.statusCode, retryAfter: r.headers['retry-after'], body: r.json() };
}

describe('sendError', () => {
  it('tells a client of a 503 or a 429 when to come back, as the gateway does', async () => {
    expect(await answer(new DomainError('UNAVAILABLE', 'the platform is shutting down'))).toMatchObject({
      status: 503,
      retryAfter: '1',
      body: { error: { code: 'UNAVAILABLE' } },
    });
    expect(await answer(new DomainError('RATE_LIMITED', 'slow down', { retryAfterSeconds: 42 }))).toMatchObject({ status: 429, retryAfter: '42' });
  });

  it('sends no Retry-After where waiting does not help', async () => {
    expect(await answer(new DomainError('MODEL_NOT_FOUND', 'no model "m"'))).toMatchObject({
      status: 404,
      retryAfter: undefined,
      body: { error: { code: 'MODEL_NOT_FOUND', message: 'no model "m"' } },
    });
    const internal = await answer(new Error('boom'));
    expect(internal).toMatchObject({ status: 500, retryAfter: undefined, body: { error: { code: 'INTERNAL', id: expect.any(String) } } });
  });
});
