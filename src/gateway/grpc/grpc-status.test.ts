import { status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../contracts/errors.js';
import { CODE_KEY, grpcError, grpcStatusOf, GRPC_STATUS_BY_KIND, ID_KEY, RETRY_AFTER_KEY } from './grpc-status.js';

describe('gRPC status of an error answer', () => {
  it('has a status for every error kind', () => {
    const kinds = new Set(Object.values(ERROR_CODES));
    expect([...kinds].filter((k) => GRPC_STATUS_BY_KIND[k] === undefined)).toEqual([]);
  });

  it('maps the codes a client meets to the statuses gRPC clients expect', () => {
    expect(grpcStatusOf('SERVICE_NOT_FOUND', 404)).toBe(Status.NOT_FOUND);
    expect(grpcStatusOf('UNAUTHENTICATED', 401)).toBe(Status.UNAUTHENTICATED);
    expect(grpcStatusOf('FORBIDDEN', 403)).toBe(Status.PERMISSION_DENIED);
    expect(grpcStatusOf('INVALID_TENSOR', 400)).toBe(Status.INVALID_ARGUMENT);
    expect(grpcStatusOf('RATE_LIMITED', 429)).toBe(Status.RESOURCE_EXHAUSTED);
    expect(grpcStatusOf('UNAVAILABLE', 503)).toBe(Status.UNAVAILABLE);
    expect(grpcStatusOf('TIMEOUT', 504)).toBe(Status.DEADLINE_EXCEEDED);
    expect(grpcStatusOf(undefined, 503)).toBe(Status.UNAVAILABLE);
    expect(grpcStatusOf('SOMETHING_ELSE', 500)).toBe(Status.INTERNAL);
  });

  it('keeps the message, and puts the stable code, id and Retry-After in the trailing metadata', () => {
    const e = grpcError({
      status: 429,
      contentType: 'application/json',
      retryAfter: '3',
      body: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'slow down', id: 'x1' } }),
    });
    expect(e.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(e.details).toBe('slow down');
    expect([e.metadata!.get(CODE_KEY), e.metadata!.get(ID_KEY), e.metadata!.get(RETRY_AFTER_KEY)]).toEqual([['RATE_LIMITED'], ['x1'], ['3']]);
    // the protocol's own error body: {"error": "message"}, the code beside it
    const p = grpcError({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: 'no such model', code: 'SERVICE_NOT_FOUND' }) });
    expect([p.code, p.details, p.metadata!.get(CODE_KEY)]).toEqual([Status.NOT_FOUND, 'no such model', ['SERVICE_NOT_FOUND']]);
  });
});
