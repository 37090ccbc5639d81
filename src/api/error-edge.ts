/**
 * The API's error answers in Fastify: the status, body and 5xx id come from the one HTTP
 * error edge (src/http/error-answer.ts); this only writes them on the reply.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorAnswer } from '../http/error-answer.js';

export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body, retryAfter } = errorAnswer(err, request.log, () => String(request.id));
  // a 503 (shutting down, a replica not leading) or 429 says when to come back, as the gateway's do
  if (retryAfter !== undefined) reply.header('retry-after', retryAfter);
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
